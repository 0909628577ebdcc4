import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * Finds a file message's file on this computer, as the other exports do (export/media-lookup.ts,
 * a layer this one may not use): Conversations stores `relativeFilePath` relative to its media
 * folder or as an absolute path on the phone. Looked for under each folder: the path itself, what
 * follows its last `Media` segment (a profile's `Media/` keeps files so), its last two segments
 * (`Conversations Images/x.jpg`) and its name; and an absolute path that exists here as it is.
 */
export class MediaFinder {
  constructor(private readonly roots: string[]) {}

  find(relativeFilePath: string): string | null {
    const segments = relativeFilePath.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
    if (segments.length === 0 || segments.includes('..')) return null;
    const candidates: string[][] = [segments];
    const media = segments.lastIndexOf('Media');
    if (media >= 0 && media < segments.length - 1) candidates.push(segments.slice(media + 1));
    if (segments.length >= 3) candidates.push(segments.slice(-2));
    if (segments.length >= 2) candidates.push(segments.slice(-1));
    const paths = this.roots.flatMap((root) => candidates.map((c) => join(root, ...c)));
    if (isAbsolute(relativeFilePath)) paths.push(relativeFilePath);
    for (const p of paths) {
      try {
        if (existsSync(p) && statSync(p).isFile()) return p;
      } catch {
        // unreadable: treat as absent
      }
    }
    return null;
  }
}

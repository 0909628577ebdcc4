import { existsSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Finds a file message's file on this computer. Conversations stores `relativeFilePath` relative to
 * its media folder (`Conversations Images/x.jpg`, or just `x.jpg`), or as an absolute path on the
 * phone (`/storage/emulated/0/Conversations/Media/Conversations Images/x.jpg`). The file counts as
 * present when, under one of the media folders, the path itself (leading `/` dropped), what follows
 * its last `Media` segment (as a profile's `Media/` folder keeps it), its last two segments
 * (`Conversations Images/x.jpg`) or its name exist.
 */
export class MediaLookup {
  constructor(private readonly roots: string[]) {}

  /** Absolute path of the file, or null. */
  find(relativeFilePath: string | null): string | null {
    if (!relativeFilePath) return null;
    const segments = relativeFilePath.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
    if (segments.some((s) => s === '..') || segments.length === 0) return null;
    const candidates: string[][] = [segments];
    const media = segments.lastIndexOf('Media');
    if (media >= 0 && media < segments.length - 1) candidates.push(segments.slice(media + 1));
    if (segments.length >= 3) candidates.push(segments.slice(-2));
    if (segments.length >= 2) candidates.push(segments.slice(-1));
    for (const root of this.roots) {
      for (const c of candidates) {
        const p = join(root, ...c);
        try {
          if (existsSync(p) && statSync(p).isFile()) return p;
        } catch {
          // unreadable: treat as absent
        }
      }
    }
    return null;
  }

  /** Path segments from folder `fromDir` to the file (for a relative link). */
  static segmentsFrom(fromDir: string, file: string): string[] {
    return relative(fromDir, file).split(sep);
  }
}

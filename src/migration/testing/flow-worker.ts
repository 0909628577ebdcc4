// A child process for kill tests: runs one migration flow and reports progress on stdout.
import { openProfile } from '../../store/profile.js';
import { createBackups } from '../create-backup.js';
import { importBackup } from '../import-backup.js';

const [mode, profileDir, target, password] = process.argv.slice(2);
const profile = openProfile(profileDir ?? '');
const say = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
if (mode === 'create') {
  await createBackups(profile, {
    outDir: target,
    onProgress: (e) => {
      if (e.kind === 'rows') say(`rows ${e.done}`);
    },
  });
} else if (mode === 'import') {
  // As the CLI imports: on the profile's own connection (without the WAL when it is the only one).
  await importBackup(profile, target ?? '', password ?? '', {
    soleUser: true,
    onProgress: (e) => {
      if (e.kind === 'rows') say(`rows ${e.rows}`);
    },
  });
}
say('done');
profile.close();

/**
 * A number of bytes as people read it, in IEC units (1 KiB = 1024 bytes): "512 B", "3.0 MiB",
 * "16 MiB" — one decimal below 10, whole numbers from 10 up. The one formatter of ferry: the HTML
 * export, the web app's chat view and the CLI all write sizes with it.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

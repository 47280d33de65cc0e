// Writes hello.gif and noscript.gif: the same 43-byte, 1x1 transparent GIF89a.
//   node tracker/gifs.mjs          write both files (next to this script)
//   node tracker/gifs.mjs --check  exit 1 unless both files hold exactly these bytes
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GIF = Buffer.from([
  0x47, 0x49, 0x46, 0x38, 0x39, 0x61, // "GIF89a"
  0x01, 0x00, 0x01, 0x00, // logical screen 1 x 1
  0x80, 0x00, 0x00, // global colour table of 2 entries, background 0, no aspect ratio
  0x00, 0x00, 0x00, 0xff, 0xff, 0xff, // colour table: black, white
  0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, // graphic control: colour 0 is transparent
  0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, // image 1 x 1 at 0,0
  0x02, 0x02, 0x44, 0x01, 0x00, // LZW code size 2, one 2-byte block: the single pixel
  0x3b, // trailer
]);

export const GIF_FILES = ['hello.gif', 'noscript.gif'].map((name) =>
  fileURLToPath(new URL(name, import.meta.url)),
);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let ok = true;
  for (const file of GIF_FILES) {
    if (check) {
      const same = readFileSync(file).equals(GIF);
      if (!same) console.error(`${file}: not the expected 43-byte GIF`);
      ok &&= same;
    } else {
      writeFileSync(file, GIF);
      console.log(`wrote ${file} (${GIF.length} bytes)`);
    }
  }
  process.exit(ok ? 0 : 1);
}

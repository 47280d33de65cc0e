// Minifies pixelstream.js to dist/pixelstream.min.js and checks its size.
//   node tracker/build.mjs   prints raw / min / gzip bytes; exit 1 if gzip > 1536
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

export const SOURCE = fileURLToPath(new URL('pixelstream.js', import.meta.url));
export const OUTPUT = fileURLToPath(new URL('dist/pixelstream.min.js', import.meta.url));
export const GZIP_LIMIT = 1536;

export async function build() {
  const source = readFileSync(SOURCE, 'utf8');
  const result = await minify(source, {
    ecma: 2017,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: /^!/ }, // keep the one-line /*! licence header */
  });
  const min = result.code + '\n';
  mkdirSync(fileURLToPath(new URL('dist/', import.meta.url)), { recursive: true });
  writeFileSync(OUTPUT, min);
  const sizes = {
    raw: Buffer.byteLength(source),
    min: Buffer.byteLength(min),
    gzip: gzipSync(min, { level: 9 }).length,
  };
  return { code: min, sizes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { sizes } = await build();
  console.log(`pixelstream.js: raw ${sizes.raw} B, min ${sizes.min} B, gzip ${sizes.gzip} B (limit ${GZIP_LIMIT} B)`);
  if (sizes.gzip > GZIP_LIMIT) {
    console.error(`pixelstream.js: gzip size ${sizes.gzip} B is over the ${GZIP_LIMIT} B budget`);
    process.exit(1);
  }
}

// A gzip (level 9) and a brotli copy beside each script and style sheet of the build, which the product sends
// to a browser that accepts them (engine/web/app_shell.py). Run by `npm run build` after `vite build`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const assets = new URL("../dist/assets/", import.meta.url).pathname;
for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const source = readFileSync(join(assets, name));
  writeFileSync(join(assets, `${name}.gz`), gzipSync(source, { level: 9 }));
  writeFileSync(
    join(assets, `${name}.br`),
    brotliCompressSync(source, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  );
}

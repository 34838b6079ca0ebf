import assert from "node:assert/strict";
import { kernelFeatures, parseKernelConfig } from "../../kernel/config.ts";

Deno.test("kernelFeatures() reads zpools and codecs from a kernel config", () => {
  // As Debian's 6.12 has them: no z3fold (CONFIG_Z3FOLD_DEPRECATED unset).
  const config = parseKernelConfig(
    [
      "CONFIG_ZSWAP=y",
      "CONFIG_ZBUD=y",
      "# CONFIG_Z3FOLD_DEPRECATED is not set",
      "CONFIG_ZSMALLOC=m",
      "CONFIG_CRYPTO_LZO=y",
      "CONFIG_CRYPTO_LZ4=m",
      "CONFIG_CRYPTO_ZSTD=m",
      "CONFIG_CRYPTO_DEFLATE=y",
      'CONFIG_ZSWAP_COMPRESSOR_DEFAULT="lzo"',
    ].join("\n"),
  );
  assert.deepEqual(kernelFeatures(config), {
    zpools: ["zbud", "zsmalloc"],
    compressors: ["lzo", "lzo-rle", "lz4", "zstd", "deflate"],
  });
  assert.equal(config.get("CONFIG_ZSWAP_COMPRESSOR_DEFAULT"), '"lzo"');
  const old = kernelFeatures(parseKernelConfig("CONFIG_Z3FOLD=m\nCONFIG_ZBUD=y\n"));
  assert.deepEqual(old.zpools, ["zbud", "z3fold"]);
});

// Nix jobs (for QueueFixture.queue) that leave VM-test evidence behind: lcov tracefiles
// and PNG screenshots, good and hostile, built by real nix and recorded by the real queue
// runner. The PNGs are drawn with netpbm (as the VM driver does).

/** A job whose output declares `products` (lines of hydra-build-products, $out expanded) after running `script`. */
export function productJob(name: string, script: string, products: string[]): string {
  const declare = products.map((p) => `echo "${p}" >> $out/nix-support/hydra-build-products`).join('\n');
  return `job "${name}" ''
    mkdir -p $out/nix-support
    echo "read me" > $out/readme.txt
    echo "file doc $out/readme.txt" >> $out/nix-support/hydra-build-products
    ${script}
    ${declare}
  ''`;
}

/** A w×h screen, black with a white block at (x, y); one PPM pixel per cell. */
export function screenScript(file: string, opts: { width: number; height: number; x: number; y: number }): string {
  return `awk 'BEGIN { print "P3"; print "${opts.width} ${opts.height}"; print "255";
    for (j = 0; j < ${opts.height}; j++) for (i = 0; i < ${opts.width}; i++)
      print ((i >= ${opts.x} && i < ${opts.x} + 8 && j >= ${opts.y} && j < ${opts.y} + 8) ? "255 255 255" : "0 0 0")
    }' | pnmtopng > ${file}`;
}

// A QR code as SVG, for the otpauth:// URL of a second factor (Account page).
// uqr does the encoding (only its `encode`: its renderers are left out of the
// bundle).

import { useMemo } from 'preact/hooks';
import { encode } from 'uqr';

// The QR code of an otpauth:// URL as one SVG path, dark on white whatever
// the theme (apps read light-on-dark badly), with the 4-module quiet zone the
// standard asks for. Built from the module matrix rather than a library's SVG
// string so that nothing goes through innerHTML.
export function QrCode({ text, label }: { text: string; label: string }) {
  const d = useMemo(() => {
    const { data } = encode(text, { ecc: 'M', border: 0 });
    let path = '';
    data.forEach((row, y) => {
      for (let x = 0; x < row.length; x++) {
        if (!row[x]) continue;
        let w = 1;
        while (row[x + w]) w++;
        path += `M${x} ${y}h${w}v1h-${w}z`;
        x += w - 1;
      }
    });
    return { path, size: data.length };
  }, [text]);
  const q = 4;
  return (
    <svg class="qr" role="img" aria-label={label} viewBox={`${-q} ${-q} ${d.size + 2 * q} ${d.size + 2 * q}`} shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">
      <rect x={-q} y={-q} width={d.size + 2 * q} height={d.size + 2 * q} fill="#fff" />
      <path d={d.path} fill="#000" />
    </svg>
  );
}

import { mulberry32 } from './random.js';

/**
 * Fills target[from, to) with standard normal values from a generator seeded with `seed`:
 * mulberry32 for the bits and Marsaglia and Tsang's ziggurat (2000), which needs one integer and
 * a table lookup for about 99% of the values, several times faster than polar or Box–Muller
 * methods. The same seed always gives the same values, whichever thread runs it.
 */
export function fillStandardNormal(target: Float64Array, from: number, to: number, seed: number): void {
  // Ziggurat tables (Marsaglia and Tsang's zigset, 128 layers).
  const tail = 3.442619855899;
  const area = 9.91256303526217e-3;
  const scale = 2147483648;
  const layerBound = new Uint32Array(128);
  const layerWidth = new Float64Array(128);
  const layerHeight = new Float64Array(128);
  let edge = tail;
  let previousEdge = edge;
  const base = area / Math.exp(-0.5 * edge * edge);
  layerBound[0] = Math.floor((edge / base) * scale);
  layerBound[1] = 0;
  layerWidth[0] = base / scale;
  layerWidth[127] = edge / scale;
  layerHeight[0] = 1;
  layerHeight[127] = Math.exp(-0.5 * edge * edge);
  for (let i = 126; i >= 1; i--) {
    edge = Math.sqrt(-2 * Math.log(area / edge + Math.exp(-0.5 * edge * edge)));
    layerBound[i + 1] = Math.floor((edge / previousEdge) * scale);
    previousEdge = edge;
    layerHeight[i] = Math.exp(-0.5 * edge * edge);
    layerWidth[i] = edge / scale;
  }
  const nextInt32 = mulberry32(seed);
  const nextUniform = (): number => (nextInt32() >>> 0) / 4294967296;
  for (let i = from; i < to; i++) {
    let value = nextInt32();
    let layer = value & 127;
    if (Math.abs(value) < layerBound[layer]) {
      target[i] = value * layerWidth[layer];
      continue;
    }
    for (;;) {
      const x = value * layerWidth[layer];
      if (layer === 0) {
        // The tail beyond the base layer, by Marsaglia's method.
        let tailX: number;
        let tailY: number;
        do {
          tailX = -Math.log(1 - nextUniform()) / tail;
          tailY = -Math.log(1 - nextUniform());
        } while (tailY + tailY < tailX * tailX);
        target[i] = value > 0 ? tail + tailX : -tail - tailX;
        break;
      }
      if (layerHeight[layer] + nextUniform() * (layerHeight[layer - 1] - layerHeight[layer]) < Math.exp(-0.5 * x * x)) {
        target[i] = x;
        break;
      }
      value = nextInt32();
      layer = value & 127;
      if (Math.abs(value) < layerBound[layer]) {
        target[i] = value * layerWidth[layer];
        break;
      }
    }
  }
}

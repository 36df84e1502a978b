/**
 * Pictures for the emulator: the seed images (real PNGs drawn at start, deterministic) and the
 * thumbnails `/file/thumbnail` answers. A PNG upload is decoded and scaled down; other images,
 * PDFs and videos get a drawn placeholder of the same box; other types have no thumbnail.
 */
import { PNG } from 'pngjs';
import { extensionOf } from './extract.js';

type Rgb = readonly [number, number, number];

function encode(png: PNG): Uint8Array {
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

function fill(width: number, height: number, colour: (x: number, y: number) => Rgb): PNG {
  const png = new PNG({ width, height, colorType: 2 });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colour(x, y);
      const i = (y * width + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    }
  }
  return png;
}

/** A landscape: sky fading to a horizon, a hill line and a sun; `hue` tints it per seed image. */
export function drawLandscape(width: number, height: number, hue: Rgb): Uint8Array {
  const horizon = Math.round(height * 0.62);
  const sun = { x: width * 0.72, y: height * 0.28, r: Math.max(4, height * 0.09) };
  return encode(
    fill(width, height, (x, y) => {
      const hill = horizon - Math.round(Math.sin((x / width) * Math.PI * 2) * height * 0.08);
      if (Math.hypot(x - sun.x, y - sun.y) <= sun.r) return [250, 214, 90];
      if (y < hill) {
        const t = y / hill;
        return [Math.round(110 + 90 * t), Math.round(160 + 60 * t), Math.round(230 - 20 * t)];
      }
      const t = (y - hill) / (height - hill + 1);
      return [Math.round(hue[0] * (1 - 0.4 * t)), Math.round(hue[1] * (1 - 0.4 * t)), Math.round(hue[2] * (1 - 0.4 * t))];
    }),
  );
}

/** The box `width x height` scaled to fit `maxSize` on its longer side (never enlarged). */
function fit(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Box-filter downscale of a decoded PNG. */
function scaled(source: PNG, maxSize: number): PNG {
  const { width, height } = fit(source.width, source.height, maxSize);
  const out = new PNG({ width, height, colorType: 2 });
  const sx = source.width / width;
  const sy = source.height / height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const y0 = Math.floor(y * sy);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * source.width + xx) * 4;
          // Transparent pixels over white, as a thumbnail on a page shows them.
          const a = source.data[i + 3]! / 255;
          r += source.data[i]! * a + 255 * (1 - a);
          g += source.data[i + 1]! * a + 255 * (1 - a);
          b += source.data[i + 2]! * a + 255 * (1 - a);
          n++;
        }
      }
      const o = (y * width + x) * 4;
      out.data[o] = Math.round(r / n);
      out.data[o + 1] = Math.round(g / n);
      out.data[o + 2] = Math.round(b / n);
      out.data[o + 3] = 255;
    }
  }
  return out;
}

/** A page: white with grey text lines (PDFs). */
function pagePlaceholder(maxSize: number): PNG {
  const { width, height } = fit(210, 297, maxSize);
  const margin = Math.max(1, Math.round(width * 0.12));
  const line = Math.max(2, Math.round(height / 24));
  return fill(width, height, (x, y) => {
    const inText = x >= margin && x < width - margin && y >= margin && y < height - margin;
    return inText && Math.floor(y / line) % 2 === 0 ? [190, 190, 190] : [255, 255, 255];
  });
}

/** A dark frame with a light play triangle (videos). */
function videoPlaceholder(maxSize: number): PNG {
  const { width, height } = fit(16, 9, maxSize);
  const cx = width / 2;
  const cy = height / 2;
  const size = height * 0.25;
  return fill(width, height, (x, y) => {
    const inside = x >= cx - size / 2 && x <= cx + size && Math.abs(y - cy) <= (size - (x - (cx - size / 2)) * 0.66);
    return inside ? [235, 235, 235] : [32, 36, 44];
  });
}

/** A tinted square (an image the emulator cannot decode: jpeg, gif, webp). */
function imagePlaceholder(maxSize: number): PNG {
  const side = Math.max(1, Math.min(maxSize, 200));
  return fill(side, side, (x, y) => [Math.round(120 + (x / side) * 80), Math.round(140 + (y / side) * 60), 170]);
}

const videoTypes = new Set(['mp4', 'mov', 'm4v', 'avi', 'mkv']);
const imageTypes = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp']);

/** The thumbnail of a file (PNG bytes) at most `maxSize` on its longer side, or undefined for a type without one. */
export function thumbnailOf(name: string, bytes: Uint8Array, maxSize: number): Uint8Array | undefined {
  const ext = extensionOf(name);
  if (ext === 'png') {
    try {
      return encode(scaled(PNG.sync.read(Buffer.from(bytes)), maxSize));
    } catch {
      return encode(imagePlaceholder(maxSize));
    }
  }
  if (imageTypes.has(ext)) return encode(imagePlaceholder(maxSize));
  if (ext === 'pdf') return encode(pagePlaceholder(maxSize));
  if (videoTypes.has(ext)) return encode(videoPlaceholder(maxSize));
  return undefined;
}

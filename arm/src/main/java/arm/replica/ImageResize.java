package arm.replica;

import java.awt.image.BufferedImage;

/**
 * torchvision 0.5's {@code Resize(84)} + {@code CenterCrop(84)} on an RGB image, producing CHW
 * uint8 bytes (ALGORITHM.md §4.4):
 *
 * <ul>
 *   <li>Resize: the shorter side becomes {@code size}, the other ⌊size·long/short⌋ (Python's
 *       int()); an image whose shorter side already equals size is left alone. Resampling follows
 *       Pillow's BILINEAR: a separable triangle filter whose support widens with the downscale
 *       factor (antialiasing), coefficients normalised and rounded to 22-bit fixed point,
 *       horizontal pass then vertical, each rounded to uint8.
 *   <li>Centre crop: offsets round((H − size)/2), round((W − size)/2) with Python's
 *       round-half-to-even.
 * </ul>
 *
 * JPEG decoding (javax.imageio vs libjpeg in PIL) differs slightly, so pixels are not bit-identical
 * to the authors' pipeline (ALGORITHM.md §9 D16); the geometry and the filter are the same.
 */
public final class ImageResize {
    private ImageResize() {}

    static final int PRECISION_BITS = 32 - 8 - 2;

    /** Resize + centre crop to size×size, as CHW bytes (3·size·size). */
    public static byte[] resizeCropChw(BufferedImage img, int size) {
        int w = img.getWidth(), h = img.getHeight();
        int[] rgb = packedRgb(img);
        int ow = w, oh = h;
        if (!((w <= h && w == size) || (h <= w && h == size))) {
            if (w < h) {
                ow = size;
                oh = (int) ((long) size * h / w);
            } else {
                oh = size;
                ow = (int) ((long) size * w / h);
            }
        }
        byte[][] planes = new byte[3][];
        for (int c = 0; c < 3; c++) {
            byte[] p = new byte[w * h];
            int shift = 16 - 8 * c; // R, G, B
            for (int i = 0; i < p.length; i++) p[i] = (byte) (rgb[i] >> shift);
            planes[c] = ow == w && oh == h ? p : resample(p, w, h, ow, oh);
        }
        if (ow < size || oh < size)
            throw new IllegalArgumentException(
                    "image " + w + "×" + h + " cannot give a " + size + " crop");
        int top = roundHalfEven((oh - size) / 2.0), left = roundHalfEven((ow - size) / 2.0);
        byte[] out = new byte[3 * size * size];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                System.arraycopy(
                        planes[c], (top + y) * ow + left, out, (c * size + y) * size, size);
        return out;
    }

    /**
     * 0xRRGGBB per pixel. Grey images are replicated from their raster, as PIL's convert('RGB')
     * does: BufferedImage.getRGB would treat the grey as linear and brighten it into sRGB.
     */
    static int[] packedRgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        if (img.getRaster().getNumBands() == 1) {
            int[] g = img.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < g.length; i++) g[i] = g[i] << 16 | g[i] << 8 | g[i];
            return g;
        }
        return img.getRGB(0, 0, w, h, null, 0, w);
    }

    static int roundHalfEven(double v) {
        return (int) Math.rint(v);
    }

    /** Pillow-style bilinear resample of one 8-bit plane: horizontal pass, then vertical. */
    public static byte[] resample(byte[] in, int w, int h, int ow, int oh) {
        byte[] tmp = in;
        if (ow != w) {
            Coeffs cx = coeffs(w, ow);
            tmp = new byte[ow * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < ow; x++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < cx.len[x]; k++)
                        acc += (in[y * w + cx.start[x] + k] & 0xFF) * cx.k[x][k];
                    tmp[y * ow + x] = clip8(acc);
                }
        }
        if (oh == h) return tmp;
        Coeffs cy = coeffs(h, oh);
        byte[] out = new byte[ow * oh];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int k = 0; k < cy.len[y]; k++)
                    acc += (tmp[(cy.start[y] + k) * ow + x] & 0xFF) * cy.k[y][k];
                out[y * ow + x] = clip8(acc);
            }
        return out;
    }

    private static byte clip8(int v) {
        if (v <= 0) return 0;
        if (v >= 255 << PRECISION_BITS) return (byte) 255;
        return (byte) (v >> PRECISION_BITS);
    }

    /** Per output pixel: first input index, tap count and fixed-point weights. */
    record Coeffs(int[] start, int[] len, int[][] k) {}

    /** Triangle-filter taps for inSize → outSize, support scaled by the downscale factor. */
    static Coeffs coeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize, filterScale = Math.max(1.0, scale);
        double support = 1.0 * filterScale;
        int[] start = new int[outSize], len = new int[outSize];
        int[][] k = new int[outSize][];
        for (int x = 0; x < outSize; x++) {
            double center = (x + 0.5) * scale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double[] w = new double[xmax];
            double ww = 0;
            for (int j = 0; j < xmax; j++) {
                double t = Math.abs((j + xmin - center + 0.5) / filterScale);
                w[j] = t < 1 ? 1 - t : 0;
                ww += w[j];
            }
            k[x] = new int[xmax];
            for (int j = 0; j < xmax; j++) {
                double v = ww == 0 ? 0 : w[j] / ww;
                k[x][j] =
                        (int)
                                (v < 0
                                        ? -0.5 + v * (1 << PRECISION_BITS)
                                        : 0.5 + v * (1 << PRECISION_BITS));
            }
            start[x] = xmin;
            len[x] = xmax;
        }
        return new Coeffs(start, len, k);
    }
}

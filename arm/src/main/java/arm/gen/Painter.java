package arm.gen;

import java.util.SplittableRandom;

/**
 * Paints one generated RGB image (CHW uint8, side × side) for a class: an MNIST digit scaled and
 * placed at random, in the class's colour, over a random background; or pure noise.
 *
 * <p>The class is carried by two cues a network can learn: the digit's shape ({@code digit}) and
 * its hue ({@code hue}, one of ten). Everything else varies per image: the digit's size and
 * position, its saturation and brightness, the background's two colours and the direction of the
 * gradient between them, and pixel noise. So the task is easy but not trivial, and an image seen
 * twice (a digit reused for another image) looks different each time.
 */
final class Painter {
    private Painter() {}

    /** Standard deviation of the additive pixel noise, in grey levels. */
    static final double PIXEL_NOISE = 6;

    /**
     * @param digit 28×28 grey pixels (MNIST)
     * @param hue 0 … 9: the digit's hue is hue / 10 of the colour wheel
     */
    static byte[] digit(byte[] digit, int side, int hue, SplittableRandom rng) {
        double[][] bg = background(side, rng);
        double[] fg = hsv((hue + rng.nextDouble(-0.15, 0.15)) / 10.0, rng.nextDouble(0.65, 1), 1);
        double bright = rng.nextDouble(0.75, 1);
        int d = (int) Math.round(side * rng.nextDouble(0.6, 0.9));
        int x0 = rng.nextInt(side - d + 1), y0 = rng.nextInt(side - d + 1);
        byte[] out = new byte[3 * side * side];
        int plane = side * side;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                double a = 0;
                if (y >= y0 && y < y0 + d && x >= x0 && x < x0 + d)
                    a =
                            sample(
                                            digit,
                                            (x - x0 + 0.5) * 28.0 / d - 0.5,
                                            (y - y0 + 0.5) * 28.0 / d - 0.5)
                                    / 255.0;
                for (int c = 0; c < 3; c++) {
                    double v =
                            bg[c][y * side + x] * (1 - a)
                                    + 255 * bright * fg[c] * a
                                    + PIXEL_NOISE * rng.nextGaussian();
                    out[c * plane + y * side + x] = clamp(v);
                }
            }
        return out;
    }

    /** Uniform noise in every value: no class information at all. */
    static byte[] noise(int side, SplittableRandom rng) {
        byte[] out = new byte[3 * side * side];
        for (int i = 0; i < out.length; i++) out[i] = (byte) rng.nextInt(256);
        return out;
    }

    /** A linear gradient between two muted random colours, in a random direction. */
    private static double[][] background(int side, SplittableRandom rng) {
        double[] c0 = muted(rng), c1 = muted(rng);
        double angle = rng.nextDouble(2 * Math.PI), dx = Math.cos(angle), dy = Math.sin(angle);
        double[][] out = new double[3][side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++) {
                double t = 0.5 + ((x + 0.5) / side - 0.5) * dx + ((y + 0.5) / side - 0.5) * dy;
                t = Math.max(0, Math.min(1, t));
                for (int c = 0; c < 3; c++) out[c][y * side + x] = c0[c] + (c1[c] - c0[c]) * t;
            }
        return out;
    }

    /** A grey level mixed with a little random colour, kept darker than the digits. */
    private static double[] muted(SplittableRandom rng) {
        double grey = rng.nextDouble(0, 150);
        double[] out = new double[3];
        for (int c = 0; c < 3; c++) out[c] = 0.7 * grey + 0.3 * rng.nextDouble(0, 200);
        return out;
    }

    /** RGB in [0, 1] of a hue (turns), saturation and value. */
    static double[] hsv(double h, double s, double v) {
        h = h - Math.floor(h);
        double f = h * 6 - Math.floor(h * 6);
        double p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
        return switch ((int) Math.floor(h * 6) % 6) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    /** Bilinear sample of the 28×28 digit at (x, y); 0 outside. */
    private static double sample(byte[] img, double x, double y) {
        int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
        double fx = x - x0, fy = y - y0;
        return (1 - fy) * ((1 - fx) * px(img, x0, y0) + fx * px(img, x0 + 1, y0))
                + fy * ((1 - fx) * px(img, x0, y0 + 1) + fx * px(img, x0 + 1, y0 + 1));
    }

    private static int px(byte[] img, int x, int y) {
        return x < 0 || y < 0 || x >= 28 || y >= 28 ? 0 : img[y * 28 + x] & 0xFF;
    }

    private static byte clamp(double v) {
        return (byte) Math.max(0, Math.min(255, Math.round(v)));
    }
}

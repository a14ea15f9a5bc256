package arm.report;

import arm.run.RecallRecord;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fig. 2: recalled images above the real images they were initialised from. One block per recorded
 * iteration t: the recalled row, labelled with f_old's top class and its probability, over the real
 * row, labelled with its label (the originator class). Grey for one channel (MNIST's flat 784 are
 * viewed as 28×28), RGB for three (CHW).
 *
 * <p>Display scaling maps each image's own range [min, max] to [0, 255]; recalled images are not
 * clamped during refinement, so their range is anything. (The authors' render subtracts the min but
 * divides by the original max, and only handles MNIST.)
 */
public final class RecalledImages {
    private static final int PAD = 6, LABEL = 14, TITLE = 18, MARGIN = 92;

    private RecalledImages() {}

    /** Writes the grid as a PNG; nothing is written when there are no pairs. */
    public static boolean write(
            Path png, List<RecallRecord.Pair> pairs, int[] itemShape, String title)
            throws IOException {
        if (pairs.isEmpty()) return false;
        BufferedImage img = render(pairs, itemShape, title);
        // encoded in memory: ImageIO's own file stream prints a stack trace when it cannot open the
        // file
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        if (!javax.imageio.ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer");
        Charts.naming(png, () -> java.nio.file.Files.write(png, bytes.toByteArray()));
        return true;
    }

    public static BufferedImage render(
            List<RecallRecord.Pair> pairs, int[] itemShape, String title) {
        int[] chw = chw(itemShape);
        int scale = Math.max(1, Math.round(96f / Math.max(chw[1], chw[2])));
        int w = chw[2] * scale, h = chw[1] * scale;
        Map<Integer, List<RecallRecord.Pair>> byT = new TreeMap<>();
        for (RecallRecord.Pair p : pairs) byT.computeIfAbsent(p.t(), k -> new ArrayList<>()).add(p);
        int cols = byT.values().stream().mapToInt(List::size).max().orElse(1);
        int blockH = TITLE + 2 * (h + LABEL + PAD) + PAD;
        int width = MARGIN + cols * (w + PAD) + PAD, height = TITLE + PAD + byT.size() * blockH;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, PAD, TITLE - 4);
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        int y = TITLE + PAD;
        for (var e : byT.entrySet()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.setColor(Color.BLACK);
            g.drawString("t = " + e.getKey(), PAD, y + TITLE - 4);
            g.setFont(small);
            int rowRecalled = y + TITLE, rowReal = rowRecalled + h + LABEL + PAD;
            g.drawString("recalled x̂", PAD, rowRecalled + h / 2);
            g.drawString("f_old: class, p", PAD, rowRecalled + h / 2 + 13);
            g.drawString("real (init)", PAD, rowReal + h / 2);
            g.drawString("label", PAD, rowReal + h / 2 + 13);
            int x = MARGIN;
            for (RecallRecord.Pair p : e.getValue()) {
                g.drawImage(toImage(p.recalled(), chw, scale), x, rowRecalled, null);
                g.drawImage(toImage(p.initial(), chw, scale), x, rowReal, null);
                g.setColor(Color.BLACK);
                centred(
                        g,
                        String.format(
                                java.util.Locale.ROOT, "%d, %.2f", p.target(), p.probability()),
                        x,
                        w,
                        rowRecalled + h + LABEL - 3);
                centred(
                        g,
                        p.originator() < 0 ? "noise" : Integer.toString(p.originator()),
                        x,
                        w,
                        rowReal + h + LABEL - 3);
                x += w + PAD;
            }
            y += blockH;
        }
        g.dispose();
        return img;
    }

    /**
     * One image, scaled by its own range to [0, 255], enlarged {@code scale}× (nearest neighbour).
     */
    static BufferedImage toImage(float[] v, int[] chw, int scale) {
        int c = chw[0], h = chw[1], w = chw[2];
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        float range = max - min;
        BufferedImage img = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                int rgb = 0;
                for (int k = 0; k < 3; k++) {
                    float x = v[(c == 1 ? 0 : k) * h * w + i * w + j];
                    int b = range > 0 ? Math.round(255 * (x - min) / range) : 0;
                    rgb = (rgb << 8) | b;
                }
                for (int di = 0; di < scale; di++)
                    for (int dj = 0; dj < scale; dj++)
                        img.setRGB(j * scale + dj, i * scale + di, rgb);
            }
        return img;
    }

    /** c, H, W: as given for CHW images, 1×√n×√n for flat square ones. */
    static int[] chw(int[] item) {
        if (item.length == 3) return item.clone();
        int n = 1;
        for (int d : item) n *= d;
        int side = (int) Math.round(Math.sqrt(n));
        if (item.length == 2) return new int[] {1, item[0], item[1]};
        if (side * side != n) return new int[] {1, 1, n}; // not square: one row
        return new int[] {1, side, side};
    }

    private static void centred(Graphics2D g, String s, int x, int w, int baseline) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, x + (w - fm.stringWidth(s)) / 2, baseline);
    }
}

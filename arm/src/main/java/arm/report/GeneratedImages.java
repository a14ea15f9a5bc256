package arm.report;

import arm.run.GeneratedSamples;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * GEN's and GEN-MIR's generated samples: one row per task end, the VAE's decoder means at the same
 * prior draws in every row, so a column shows one draw as the generator learns task after task. The
 * means are Bernoulli probabilities, drawn on the fixed scale [0, 1] → [0, 255] (not each image's
 * own range, as {@link RecalledImages} must for unclamped recalled images).
 */
public final class GeneratedImages {
    private static final int PAD = 6, TITLE = 18, MARGIN = 74;

    private GeneratedImages() {}

    /** Writes the grid as a PNG; nothing is written when no task end was recorded. */
    public static boolean write(Path png, GeneratedSamples g, String title) throws IOException {
        if (g.tasks().length == 0 || g.perTask() == 0) return false;
        BufferedImage img = render(g, title);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer");
        Charts.naming(png, () -> Files.write(png, bytes.toByteArray()));
        return true;
    }

    public static BufferedImage render(GeneratedSamples g, String title) {
        int[] chw = RecalledImages.chw(g.itemShape());
        int scale = Math.max(1, Math.round(56f / Math.max(chw[1], chw[2])));
        int w = chw[2] * scale, h = chw[1] * scale, n = g.perTask(), d = g.itemSize();
        int width = MARGIN + n * (w + PAD) + PAD;
        int height = TITLE + PAD + g.tasks().length * (h + PAD);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = img.createGraphics();
        gr.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        gr.setColor(Color.WHITE);
        gr.fillRect(0, 0, width, height);
        gr.setColor(Color.BLACK);
        gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        gr.drawString(title, PAD, TITLE - 4);
        gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int r = 0; r < g.tasks().length; r++) {
            int y = TITLE + PAD + r * (h + PAD);
            gr.drawString("after task " + g.tasks()[r], PAD, y + h / 2 + 4);
            for (int i = 0; i < n; i++)
                gr.drawImage(
                        image(g.images()[r], i * d, chw, scale), MARGIN + i * (w + PAD), y, null);
        }
        gr.dispose();
        return img;
    }

    /** The image at {@code off}, [0, 1] → [0, 255] (clamped), enlarged {@code scale}×. */
    static BufferedImage image(float[] v, int off, int[] chw, int scale) {
        int c = chw[0], h = chw[1], w = chw[2];
        BufferedImage img = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                int rgb = 0;
                for (int k = 0; k < 3; k++) {
                    float x = v[off + (c == 1 ? 0 : k) * h * w + i * w + j];
                    rgb = (rgb << 8) | Math.round(255 * Math.min(1f, Math.max(0f, x)));
                }
                for (int di = 0; di < scale; di++)
                    for (int dj = 0; dj < scale; dj++)
                        img.setRGB(j * scale + dj, i * scale + di, rgb);
            }
        return img;
    }
}

package arm.report;

import static org.assertj.core.api.Assertions.assertThat;

import arm.run.GeneratedSamples;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GEN's sample grid at MiniImageNet's size: 20 task ends × 16 samples of 3×84×84. */
class GeneratedImagesTest {
    static final int TASKS = 20, N = 16, C = 3, H = 84, W = 84, D = C * H * W;

    /** Sample i of task row r: channel k is the constant (r + i + k) / 40, one NaN in the last. */
    static GeneratedSamples miniImageNetEnd() {
        int[] tasks = new int[TASKS];
        float[][] images = new float[TASKS][N * D];
        for (int r = 0; r < TASKS; r++) {
            tasks[r] = r;
            for (int i = 0; i < N; i++)
                for (int k = 0; k < C; k++)
                    Arrays.fill(
                            images[r],
                            i * D + k * H * W,
                            i * D + (k + 1) * H * W,
                            (r + i + k) / 40f);
        }
        images[TASKS - 1][(N - 1) * D] = Float.NaN; // top-left red value of the last sample
        images[0][0] = 7f; // above the [0, 1] scale
        return new GeneratedSamples(new int[] {C, H, W}, tasks, images);
    }

    @Test
    void aMiniImageNetGridHasARowPerTaskEndAndRgbSamplesOnTheFixedScale() throws Exception {
        BufferedImage img = GeneratedImages.render(miniImageNetEnd(), "GEN-run0");
        // 84 px samples are drawn 1:1 with 6 px gaps, after a 74 px margin and an 18 px title
        assertThat(img.getWidth()).isEqualTo(74 + N * (W + 6) + 6);
        assertThat(img.getHeight()).isEqualTo(18 + 6 + TASKS * (H + 6));
        int r = 19, i = 15;
        int x = 74 + i * (W + 6) + 40, y = 18 + 6 + r * (H + 6) + 40;
        int rgb = img.getRGB(x, y) & 0xFFFFFF;
        assertThat(rgb >> 16).isEqualTo(Math.round(255 * Math.min(1f, (r + i) / 40f)));
        assertThat((rgb >> 8) & 0xFF).isEqualTo(Math.round(255 * Math.min(1f, (r + i + 1) / 40f)));
        assertThat(rgb & 0xFF).isEqualTo(Math.round(255 * Math.min(1f, (r + i + 2) / 40f)));
        // clamped above 1; a NaN value draws as 0 instead of failing the figure
        assertThat(img.getRGB(74, 24) >> 16 & 0xFF).isEqualTo(255);
        assertThat(img.getRGB(74 + i * (W + 6), 18 + 6 + r * (H + 6)) >> 16 & 0xFF).isZero();
    }

    @Test
    void theGridIsWrittenAsAPng(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("generated-GEN-run0.png");
        assertThat(GeneratedImages.write(png, miniImageNetEnd(), "GEN-run0")).isTrue();
        BufferedImage back = ImageIO.read(png.toFile());
        assertThat(back.getWidth()).isEqualTo(74 + N * (W + 6) + 6);
        assertThat(back.getHeight()).isEqualTo(18 + 6 + TASKS * (H + 6));
    }
}

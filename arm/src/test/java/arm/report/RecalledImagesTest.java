package arm.report;

import static org.assertj.core.api.Assertions.assertThat;

import arm.run.RecallRecord;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fig. 2's image grid: per-image range scaling, grey and RGB layouts. */
class RecalledImagesTest {

    static int grey(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFF;
    }

    @Test
    void eachImageIsScaledByItsOwnRange() {
        // 1×2×2 image with values −2, 0, 6, 2: min −2, range 8
        BufferedImage img =
                RecalledImages.toImage(new float[] {-2, 0, 6, 2}, new int[] {1, 2, 2}, 1);
        assertThat(grey(img, 0, 0)).isZero();
        assertThat(grey(img, 1, 0)).isEqualTo(64);
        assertThat(grey(img, 0, 1)).isEqualTo(255);
        assertThat(grey(img, 1, 1)).isEqualTo(128);
        // the authors divide by the original max (6): 0 would map to 2/6·255 = 85, not 64
        BufferedImage flat =
                RecalledImages.toImage(new float[] {3, 3, 3, 3}, new int[] {1, 2, 2}, 2);
        assertThat(flat.getWidth()).isEqualTo(4);
        assertThat(grey(flat, 3, 3)).isZero();
    }

    @Test
    void rgbImagesReadChwChannels() {
        // 3×1×1: R = 1, G = 0, B = 0.5 → with range [0, 1]: (255, 0, 128)
        BufferedImage img =
                RecalledImages.toImage(new float[] {1, 0, 0.5f}, new int[] {3, 1, 1}, 1);
        assertThat(img.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0080);
    }

    @Test
    void flatMnistImagesAreSquareAndTheGridHasOneBlockPerIteration() {
        assertThat(RecalledImages.chw(new int[] {784})).containsExactly(1, 28, 28);
        assertThat(RecalledImages.chw(new int[] {3, 32, 32})).containsExactly(3, 32, 32);
        float[] a = new float[784], b = new float[784];
        for (int i = 0; i < 784; i++) {
            a[i] = (i % 28) / 28f;
            b[i] = -a[i];
        }
        List<RecallRecord.Pair> pairs =
                List.of(
                        new RecallRecord.Pair(99, 2, 0, 0.9f, a, b),
                        new RecallRecord.Pair(99, 3, 1, 0.8f, a, b),
                        new RecallRecord.Pair(199, 4, 0, 0.7f, a, b));
        BufferedImage one = RecalledImages.render(pairs.subList(0, 2), new int[] {784}, "t");
        BufferedImage two = RecalledImages.render(pairs, new int[] {784}, "t");
        assertThat(two.getWidth()).isEqualTo(one.getWidth());
        assertThat(two.getHeight()).isGreaterThan(one.getHeight() + 2 * 84);
    }
}

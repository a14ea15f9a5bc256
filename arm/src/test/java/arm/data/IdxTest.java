package arm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir Path dir;

    private static byte[] pixels(int n) {
        byte[] p = new byte[n * 4];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 37 + 11);
        return p;
    }

    @Test
    void readsPlainAndGzipImages() throws Exception {
        byte[] px = pixels(3);
        byte[] file = IdxFiles.images(2051, 3, 2, 2, px);
        Path plain = IdxFiles.write(dir.resolve("a-idx3-ubyte"), file);
        Path gz = IdxFiles.write(dir.resolve("b-idx3-ubyte.gz"), IdxFiles.gzip(file));
        for (Path p : new Path[] {plain, gz}) {
            Idx.Images im = Idx.readImages(p, 2, 2);
            assertThat(im.count()).isEqualTo(3);
            assertThat(im.pixels()).isEqualTo(px);
        }
    }

    @Test
    void readsLabels() throws Exception {
        Path p =
                IdxFiles.write(dir.resolve("l"), IdxFiles.labels(2049, 4, new byte[] {0, 9, 3, 7}));
        assertThat(Idx.readLabels(p, 10)).containsExactly(0, 9, 3, 7);
    }

    @Test
    void truncatedImagesNameFileAndCount() throws Exception {
        byte[] file = IdxFiles.images(2051, 3, 2, 2, pixels(3));
        Path p = IdxFiles.write(dir.resolve("trunc"), Arrays.copyOf(file, file.length - 1));
        assertThatThrownBy(() -> Idx.readImages(p, 2, 2))
                .isInstanceOf(Idx.FormatException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("image count 3");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path p = IdxFiles.write(dir.resolve("short"), new byte[] {0, 0, 8, 3, 0, 0});
        assertThatThrownBy(() -> Idx.readImages(p, 28, 28))
                .hasMessageContaining(p.toString())
                .hasMessageContaining("image count field");
        Path empty = IdxFiles.write(dir.resolve("empty"), new byte[0]);
        assertThatThrownBy(() -> Idx.readLabels(empty, 10)).hasMessageContaining("magic field");
    }

    @Test
    void badMagicSaysWhatTheFileIs() throws Exception {
        Path labels = IdxFiles.write(dir.resolve("lab"), IdxFiles.labels(2049, 1, new byte[] {1}));
        assertThatThrownBy(() -> Idx.readImages(labels, 28, 28))
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("magic number is 2049")
                .hasMessageContaining("labels file");
        Path junk = IdxFiles.write(dir.resolve("junk"), "hello world, not idx".getBytes());
        assertThatThrownBy(() -> Idx.readLabels(junk, 10)).hasMessageContaining("magic number is");
    }

    @Test
    void hugeCountIsRejectedWithoutAllocating() throws Exception {
        Path im =
                IdxFiles.write(
                        dir.resolve("huge-im"),
                        IdxFiles.images(2051, Integer.MAX_VALUE, 28, 28, pixels(1)));
        assertThatThrownBy(() -> Idx.readImages(im, 28, 28))
                .hasMessageContaining("truncated")
                .hasMessageContaining("image count " + Integer.MAX_VALUE);
        Path lab =
                IdxFiles.write(
                        dir.resolve("huge-lab"),
                        IdxFiles.labels(2049, Integer.MAX_VALUE, new byte[3]));
        assertThatThrownBy(() -> Idx.readLabels(lab, 10))
                .hasMessageContaining("label count " + Integer.MAX_VALUE);
        Path neg = IdxFiles.write(dir.resolve("neg"), IdxFiles.labels(2049, -5, new byte[3]));
        assertThatThrownBy(() -> Idx.readLabels(neg, 10)).hasMessageContaining("negative");
    }

    @Test
    void countSmallerThanDataIsAnError() throws Exception {
        Path p =
                IdxFiles.write(
                        dir.resolve("extra"), IdxFiles.labels(2049, 2, new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Idx.readLabels(p, 10)).hasMessageContaining("trailing garbage");
    }

    @Test
    void wrongDimensions() throws Exception {
        Path p = IdxFiles.write(dir.resolve("dims"), IdxFiles.images(2051, 1, 2, 2, pixels(1)));
        assertThatThrownBy(() -> Idx.readImages(p, 28, 28))
                .hasMessageContaining("rows field is 2, expected 28");
        assertThatThrownBy(() -> Idx.readImages(p, 2, 3))
                .hasMessageContaining("columns field is 2, expected 3");
    }

    @Test
    void labelOutOfRange() throws Exception {
        Path p =
                IdxFiles.write(
                        dir.resolve("range"), IdxFiles.labels(2049, 3, new byte[] {1, 10, 2}));
        assertThatThrownBy(() -> Idx.readLabels(p, 10))
                .hasMessageContaining(p.toString())
                .hasMessageContaining("label 1 is 10");
        Path neg =
                IdxFiles.write(
                        dir.resolve("range2"), IdxFiles.labels(2049, 1, new byte[] {(byte) 200}));
        assertThatThrownBy(() -> Idx.readLabels(neg, 10)).hasMessageContaining("label 0 is 200");
    }

    @Test
    void corruptGzip() throws Exception {
        byte[] gz = IdxFiles.gzip(IdxFiles.labels(2049, 100, new byte[100]));
        Path cut = IdxFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> Idx.readLabels(cut, 10))
                .isInstanceOf(Idx.FormatException.class)
                .hasMessageContaining(cut.toString())
                .hasMessageContaining("gzip");
        byte[] bad = gz.clone();
        for (int i = 10; i < bad.length - 8; i++) bad[i] ^= 0x5A;
        Path garbled = IdxFiles.write(dir.resolve("garbled.gz"), bad);
        assertThatThrownBy(() -> Idx.readLabels(garbled, 10))
                .isInstanceOf(Idx.FormatException.class);
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope");
        assertThatThrownBy(() -> Idx.readLabels(p, 10)).hasMessageContaining(p + ": no such file");
    }

    @Test
    void findsTorchvisionLayoutAndVariants() throws Exception {
        Path raw = IdxFiles.write(dir.resolve("MNIST/raw/train-images-idx3-ubyte.gz"), new byte[1]);
        assertThat(Idx.find(dir, "train-images-idx3-ubyte")).isEqualTo(raw);
        Path dotted = IdxFiles.write(dir.resolve("t10k-labels.idx1-ubyte"), new byte[1]);
        assertThat(Idx.find(dir, "t10k-labels-idx1-ubyte")).isEqualTo(dotted);
        Path plain = IdxFiles.write(dir.resolve("train-images-idx3-ubyte"), new byte[1]);
        assertThat(Idx.find(dir, "train-images-idx3-ubyte")).isEqualTo(plain);
        assertThat(Idx.find(dir, "t10k-images-idx3-ubyte")).isNull();
    }

    /**
     * A gzip file: header, then {@code zeros} zero bytes, compressed as they stream (no big
     * buffer).
     */
    static Path bomb(Path file, byte[] header, long zeros) throws Exception {
        try (var out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header);
            byte[] chunk = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= chunk.length)
                out.write(chunk, 0, (int) Math.min(left, chunk.length));
        }
        return file;
    }

    static long allocated(Executable e) throws Throwable {
        var mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        e.execute();
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    }

    @Test
    void aGzipBombIsRefusedWithoutInflatingIt() throws Throwable {
        // the header claims 2^31 − 1 images: more than an IDX file may hold, refused before reading
        // on
        Path huge =
                bomb(
                        dir.resolve("huge-idx3-ubyte.gz"),
                        ByteBuffer.allocate(16)
                                .putInt(2051)
                                .putInt(Integer.MAX_VALUE)
                                .putInt(28)
                                .putInt(28)
                                .array(),
                        64L << 20);
        long used =
                allocated(
                        () ->
                                assertThatThrownBy(() -> Idx.readImages(huge, 28, 28))
                                        .isInstanceOf(Idx.FormatException.class)
                                        .hasMessageContaining("more than the 128 MiB"));
        assertThat(used).isLessThan(8L << 20);
        // a valid header for 5 images, then 64 MB of zeros: read up to the promise plus a small
        // margin
        Path trailing =
                bomb(
                        dir.resolve("trailing-idx3-ubyte.gz"),
                        IdxFiles.images(2051, 5, 28, 28, new byte[5 * 784]),
                        64L << 20);
        used =
                allocated(
                        () ->
                                assertThatThrownBy(() -> Idx.readImages(trailing, 28, 28))
                                        .hasMessageContaining("trailing garbage")
                                        .hasMessageContaining("more than"));
        assertThat(used).isLessThan(8L << 20);
        // labels the same way
        Path labels =
                bomb(
                        dir.resolve("l-idx1-ubyte.gz"),
                        IdxFiles.labels(2049, 3, new byte[] {1, 2, 3}),
                        64L << 20);
        assertThatThrownBy(() -> Idx.readLabels(labels, 10))
                .hasMessageContaining("trailing garbage");
    }

    @Test
    void aFifoDirectoryOrLinkLoopIsNamedAsSuch() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("train-labels-idx1-ubyte"));
        assertThatThrownBy(() -> Idx.readLabels(folder, 10))
                .hasMessageContaining(folder + ": a directory");
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, loop);
        assertThatThrownBy(() -> Idx.readLabels(loop, 10))
                .hasMessageContaining("symbolic-link loop");
        Path fifo = dir.resolve("fifo");
        Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        assertThatThrownBy(() -> Idx.readLabels(fifo, 10)).hasMessageContaining("FIFO");
        assertThatThrownBy(() -> Idx.readLabels(Path.of("/dev/zero"), 10))
                .hasMessageContaining("device");
    }
}

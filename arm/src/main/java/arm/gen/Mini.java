package arm.gen;

import arm.data.MiniImageNet;
import arm.replica.ImageResize;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** The MiniImageNet half of {@link Generator}. */
final class Mini {
    private Mini() {}

    static final int SIDE = MiniImageNet.SIZE;

    /** JPEG quality: high, so that compression does not blur the digits away. */
    static final float QUALITY = 0.95f;

    /** A made-up WordNet-style id per class (n + 8 digits, as the real ones look). */
    static String wnid(int cls) {
        return String.format(java.util.Locale.ROOT, "n%08d", 90_000_000 + cls);
    }

    /** Ravi & Larochelle's file naming: wnid + 8-digit index + .jpg. */
    static String file(int cls, int i) {
        return String.format(java.util.Locale.ROOT, "%s%08d.jpg", wnid(cls), i + 1);
    }

    /** Writes the three CSVs and images/; returns the CSVs' SHA-256 and one over all images. */
    static Map<String, String> write(
            Generator.Spec spec, Generator.Digits digits, Path dir, Consumer<String> progress)
            throws IOException {
        int per = spec.perClass(), n = Generator.MINI_CLASSES * per;
        int cut = (int) (MiniImageNet.MINIIMAGENET_20.trainTestFraction() * per);
        Path images = dir.resolve(MiniImageNet.IMAGES);
        Files.createDirectories(images);
        progress.accept(
                "miniimagenet: painting "
                        + Generator.count(n)
                        + " JPEG images, 84×84, "
                        + per
                        + " per class ("
                        + spec.source()
                        + ", seed "
                        + spec.seed()
                        + ")");
        String[] sums = new String[n];
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        Generator.parallel(
                n,
                spec.threads(),
                k -> {
                    int c = k / per, i = k % per;
                    byte[] chw =
                            Generator.paint(
                                    spec, digits, SIDE, i < cut ? 0 : 1, c, c % 10, c / 10, i);
                    byte[] jpeg = jpeg(chw);
                    try {
                        Files.write(images.resolve(file(c, i)), jpeg);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    sums[k] = Generator.sha256(jpeg);
                    int d = done.incrementAndGet();
                    if (n >= 1000 && d % (n / 10) == 0)
                        progress.accept(
                                String.format(
                                        java.util.Locale.ROOT,
                                        "miniimagenet: %d / %d images (%.0f s)",
                                        d,
                                        n,
                                        (System.nanoTime() - start) / 1e9));
                });
        Map<String, String> out = new LinkedHashMap<>();
        int first = 0;
        for (int s = 0; s < MiniImageNet.CSVS.length; s++) {
            StringBuilder csv = new StringBuilder("filename,label\n");
            for (int c = first; c < first + Generator.MINI_CSV_CLASSES[s]; c++)
                for (int i = 0; i < per; i++)
                    csv.append(file(c, i)).append(',').append(wnid(c)).append('\n');
            first += Generator.MINI_CSV_CLASSES[s];
            byte[] b = Generator.utf8(csv.toString());
            Files.write(dir.resolve(MiniImageNet.CSVS[s]), b);
            out.put(MiniImageNet.CSVS[s], Generator.sha256(b));
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String s : sums) md.update(Generator.utf8(s));
            out.put(
                    "images (SHA-256 of the files' SHA-256 hex digests in CSV order)",
                    java.util.HexFormat.of().formatHex(md.digest()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** One JPEG writer per painting thread (finding one through ImageIO per image is slow). */
    private static final ThreadLocal<ImageWriter> WRITER =
            ThreadLocal.withInitial(() -> ImageIO.getImageWritersByFormatName("jpeg").next());

    /** CHW bytes → a baseline JPEG at {@link #QUALITY}. */
    static byte[] jpeg(byte[] chw) {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        int[] rgb = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int plane = SIDE * SIDE;
        for (int p = 0; p < plane; p++)
            rgb[p] =
                    (chw[p] & 0xFF) << 16
                            | (chw[plane + p] & 0xFF) << 8
                            | chw[2 * plane + p] & 0xFF;
        ImageWriter w = WRITER.get();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream o = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(QUALITY);
            w.setOutput(o);
            w.write(null, new IIOImage(img, null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            w.reset();
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the listing back with the real loader, builds the split, and decodes one image per
     * class as the loader does (the full decode into the cache happens on the first run).
     */
    static List<String> check(Path out) throws IOException {
        MiniImageNet.Listing l = MiniImageNet.readListing(out);
        MiniImageNet.Split s =
                MiniImageNet.split(l.labels(), l.numClasses(), 0, MiniImageNet.MINIIMAGENET_20);
        int per = l.files().size() / l.numClasses();
        for (int c = 0; c < l.numClasses(); c++) {
            BufferedImage img = ImageIO.read(l.image(c * per).toFile());
            if (img == null || ImageResize.resizeCropChw(img, SIDE).length != 3 * SIDE * SIDE)
                throw new IOException(l.image(c * per) + " does not decode to 84×84");
        }
        MiniImageNet.Config cfg = MiniImageNet.MINIIMAGENET_20;
        int tasks = l.numClasses() / cfg.classesPerTask();
        int iterations = s.stream().length / cfg.batchSize();
        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        java.util.Locale.ROOT,
                        "%s: the MiniImageNet loader reads it as MiniImageNet-20: %d classes, %s"
                                + " train, %s val, %s test images, %d tasks, %s iterations (T ="
                                + " %d); the first run decodes the JPEGs into %s (%s MB)",
                        out,
                        l.numClasses(),
                        Generator.count(s.train().length),
                        Generator.count(s.val().length),
                        Generator.count(s.test().length),
                        tasks,
                        Generator.count(iterations),
                        iterations / tasks,
                        MiniImageNet.CACHE_NAME,
                        Generator.count(
                                (long) l.files().size() * MiniImageNet.ITEM_BYTES / 1_000_000)));
        return lines;
    }
}

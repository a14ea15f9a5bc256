package arm.data;

import arm.replica.ImageResize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The decoded MiniImageNet images in one file, so that the JPEGs are decoded once:
 *
 * <pre>
 *   8 bytes  "ARMMINI1"
 *   int32    image side (84), int32 image count, int64 fingerprint of the listing (file names,
 *            labels, side, resize version) — all big-endian
 *   count × 3·84·84 bytes, CHW uint8, in CSV order (train.csv, val.csv, test.csv)
 * </pre>
 *
 * A cache whose fingerprint differs from the current CSVs is rebuilt; one with the right
 * fingerprint but the wrong length is reported (naming the file) rather than silently trusted. A
 * new cache is written to a temporary file and moved into place, so an interrupted build leaves no
 * half-written cache behind.
 */
public final class MiniImageNetCache {
    static final byte[] MAGIC = "ARMMINI1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 8 + 4 + 4 + 8;

    /** Bumped when the decoding or resizing changes, which invalidates existing caches. */
    static final int RESIZE_VERSION = 1;

    private final Path file;
    private final int count;

    private MiniImageNetCache(Path file, int count) {
        this.file = file;
        this.count = count;
    }

    /** Opens {@code cache} if it matches the listing, else decodes every image into it first. */
    public static MiniImageNetCache openOrBuild(Path cache, MiniImageNet.Listing l)
            throws IOException {
        long fp = fingerprint(l);
        int n = l.files().size();
        if (Files.isRegularFile(cache) && matches(cache, fp, n))
            return new MiniImageNetCache(cache, n);
        build(cache, l, fp);
        if (!matches(cache, fp, n))
            throw new DataFormatException(cache, "the cache just written does not read back");
        return new MiniImageNetCache(cache, n);
    }

    /**
     * True for a cache of this listing; false for another listing's; an error for a damaged one.
     */
    static boolean matches(Path cache, long fp, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(cache, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER);
            while (h.hasRemaining() && ch.read(h) >= 0) {}
            h.flip();
            if (h.remaining() < HEADER) throw damaged(cache, "shorter than its header");
            byte[] magic = new byte[8];
            h.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC))
                throw damaged(cache, "not a MiniImageNet cache (bad magic)");
            int side = h.getInt(), count = h.getInt();
            long got = h.getLong();
            if (got != fp || side != MiniImageNet.SIZE || count != n) return false;
            long want = HEADER + (long) n * MiniImageNet.ITEM_BYTES;
            if (ch.size() != want)
                throw damaged(cache, ch.size() + " bytes, expected " + want + " (truncated?)");
            return true;
        }
    }

    private static DataFormatException damaged(Path cache, String what) {
        return new DataFormatException(
                cache, what + "; delete the file to rebuild it from the JPEGs");
    }

    /** The images idx (listing indices), in that order, as a Dataset. */
    public Dataset dataset(String name, int[] idx, int[] labels) throws IOException {
        int item = MiniImageNet.ITEM_BYTES;
        byte[] pixels = new byte[Math.multiplyExact(idx.length, item)];
        int[] lab = new int[idx.length];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < idx.length; i++) {
                if (idx[i] < 0 || idx[i] >= count)
                    throw new IndexOutOfBoundsException("image " + idx[i] + " of " + count);
                ByteBuffer dst = ByteBuffer.wrap(pixels, i * item, item);
                long at = HEADER + (long) idx[i] * item;
                while (dst.hasRemaining()) {
                    int r = ch.read(dst, at + dst.position() - (long) i * item);
                    if (r < 0) throw damaged(file, "ends inside image " + idx[i]);
                }
                lab[i] = labels[idx[i]];
            }
        }
        return new Dataset(name, pixels, lab, MiniImageNet.ITEM_SHAPE);
    }

    // ------------------------------------------------------------ building

    static void build(Path cache, MiniImageNet.Listing l, long fp) throws IOException {
        int n = l.files().size();
        for (int i = 0; i < n; i++)
            if (!Files.isRegularFile(l.image(i)) && arm.io.RegularFile.present(l.image(i)))
                throw new DataFormatException(l.image(i), arm.io.RegularFile.problem(l.image(i)));
            else if (!Files.isRegularFile(l.image(i)))
                throw new MissingDataException(
                        "missing image "
                                + l.image(i)
                                + " (named by the CSVs); "
                                + MiniImageNet.HOW_TO_GET);
        Path dir = cache.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "miniimagenet", ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer h = ByteBuffer.allocate(HEADER);
                h.put(MAGIC).putInt(MiniImageNet.SIZE).putInt(n).putLong(fp).flip();
                while (h.hasRemaining()) ch.write(h, HEADER - h.remaining());
                decodeAll(l, ch);
            }
            try {
                Files.move(
                        tmp,
                        cache,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Decodes every image on all cores, writing each at its slot. */
    private static void decodeAll(MiniImageNet.Listing l, FileChannel ch) throws IOException {
        int n = l.files().size(), threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "miniimagenet-decode");
                            t.setDaemon(true);
                            return t;
                        });
        AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        long start = System.nanoTime();
        try {
            List<Future<Void>> parts = new ArrayList<>();
            for (int p = 0; p < threads; p++)
                parts.add(
                        pool.submit(
                                () -> {
                                    for (int i; (i = next.getAndIncrement()) < n; ) {
                                        ByteBuffer img =
                                                ByteBuffer.wrap(
                                                        decode(l.image(i), MiniImageNet.SIZE));
                                        long at = HEADER + (long) i * MiniImageNet.ITEM_BYTES;
                                        while (img.hasRemaining())
                                            ch.write(img, at + img.position());
                                        int d = done.incrementAndGet();
                                        if (n >= 1000 && d % (n / 10) == 0)
                                            System.err.printf(
                                                    "miniimagenet: decoded %d / %d images (%.0f"
                                                            + " s)%n",
                                                    d, n, (System.nanoTime() - start) / 1e9);
                                    }
                                    return null;
                                }));
            for (Future<Void> f : parts) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while decoding MiniImageNet", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Largest image decoded, in pixels (64 megapixels; ImageNet's largest is far smaller). */
    static final long MAX_PIXELS = 1L << 26;

    /** Decodes one image (JPEG or any format ImageIO reads); any decoder warning is an error. */
    static byte[] decode(Path file, int size) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new MissingDataException("cannot open image " + file);
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext())
                throw new DataFormatException(file, "not an image format javax.imageio can read");
            ImageReader r = readers.next();
            List<String> warnings = new ArrayList<>();
            r.addIIOReadWarningListener((src, msg) -> warnings.add(msg));
            BufferedImage img;
            try {
                r.setInput(in, true, true);
                // the header's size decides the decoder's allocation: refuse absurd ones before it
                // happens (a 600-byte JPEG claiming 20000×20000 would take 1.2 GB)
                int w = r.getWidth(0), h = r.getHeight(0);
                if ((long) w * h > MAX_PIXELS)
                    throw new DataFormatException(
                            file,
                            "image header says "
                                    + w
                                    + "×"
                                    + h
                                    + " pixels, more than the "
                                    + MAX_PIXELS
                                    + " this reader accepts (MiniImageNet's are about 500×375)");
                img = r.read(0);
            } finally {
                r.dispose();
            }
            if (!warnings.isEmpty())
                throw new DataFormatException(file, "damaged image: " + warnings.get(0));
            return ImageResize.resizeCropChw(img, size);
        } catch (DataFormatException | MissingDataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(
                    file, "cannot decode image (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** 64-bit FNV-1a over the side, resize version, and every (file name, label). */
    static long fingerprint(MiniImageNet.Listing l) {
        long h = 0xcbf29ce484222325L;
        h = mix(h, MiniImageNet.SIZE + ":" + RESIZE_VERSION);
        for (int i = 0; i < l.files().size(); i++)
            h = mix(h, l.files().get(i) + "," + l.labels()[i] + "\n");
        return h;
    }

    private static long mix(long h, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}

package arm.kernels.cuda;

import arm.kernels.cuda.elf.ElfAdapter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes JCuda's shipped natives loadable on this machine and loads them.
 *
 * <p>JCuda 12.6 / JCudnn 11.7 ship natives linked against libcublas.so.12 and libcudnn.so.8, and
 * the JCudnn library has the wrong name for jcuda 12.6 (gpu/README.md). This class copies the
 * natives out of the JCuda jars into a private cache folder ({@code
 * ~/.cache/arm-java/jcuda/<hash>/}, or {@code -Darm.cuda.cache=DIR}), adapting them with {@link
 * ElfAdapter} to the majors {@link CudaLibs} found (CUDA 12 natives stay as shipped), then loads
 * them with {@code System.load}.
 *
 * <p>How JCuda then finds them: each binding class loads its library in a static initializer, first
 * by {@code System.loadLibrary} (java.library.path), then by copying the jar resource to {@code
 * java.io.tmpdir} <em>unless a file of that name is already there</em>, and loading that file.
 * While the binding classes initialise, java.io.tmpdir points at our cache folder, so JCuda's
 * second route loads exactly our (already loaded) adapted file.
 */
public final class JCudaNatives {
    private JCudaNatives() {}

    public static final String JCUDA = "12.6.0", JCUDNN_JAR = "11.7.0", PLATFORM = "linux-x86_64";
    private static final String ADAPTER_VERSION = "1";

    /** One JCuda native: the jar resource, the file name JCuda asks for, and the needed-renames. */
    public record Native(
            String resource, String fileName, Map<String, String> renames, String soname) {}

    private static Path dir;
    private static final List<String> log = new ArrayList<>();

    static String file(String lib, String version) {
        return "lib" + lib + "-" + version + "-" + PLATFORM + ".so";
    }

    /** The natives for the given majors (0 = not present: shipped as is). */
    public static List<Native> natives(int cublasMajor, int cudnnMajor) {
        Map<String, String> blas =
                cublasMajor == 13 ? Map.of("libcublas.so.12", "libcublas.so.13") : Map.of();
        Map<String, String> dnn =
                cudnnMajor == 9 ? Map.of("libcudnn.so.8", "libcudnn.so.9") : Map.of();
        String dnnFile = file("JCudnn", JCUDA);
        return List.of(
                new Native(
                        "/lib/" + file("JCudaDriver", JCUDA),
                        file("JCudaDriver", JCUDA),
                        Map.of(),
                        null),
                new Native(
                        "/lib/" + file("JCudaRuntime", JCUDA),
                        file("JCudaRuntime", JCUDA),
                        Map.of(),
                        null),
                new Native("/lib/" + file("JCublas2", JCUDA), file("JCublas2", JCUDA), blas, null),
                new Native("/lib/" + file("JCudnn", JCUDNN_JAR), dnnFile, dnn, dnnFile));
    }

    /** The cache folder with the adapted natives for this machine, created on first call. */
    public static synchronized Path prepare() {
        if (dir != null) return dir;
        int blas = CudaLibs.cublasMajor(), dnn = CudaLibs.cudnnMajor();
        try {
            dir = prepare(cacheRoot(), natives(blas, dnn));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot write the adapted JCuda natives: " + e.getMessage(), e);
        }
        log.add("natives for cuBLAS " + blas + " / cuDNN " + dnn + " in " + dir);
        return dir;
    }

    public static Path cacheRoot() {
        String p = System.getProperty("arm.cuda.cache");
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base =
                xdg != null && !xdg.isBlank()
                        ? Path.of(xdg)
                        : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("arm-java").resolve("jcuda");
    }

    /**
     * Writes the adapted natives under root/<hash of inputs and edits>/ and returns that folder.
     */
    static Path prepare(Path root, List<Native> natives) throws IOException {
        Map<Native, byte[]> original = new LinkedHashMap<>();
        MessageDigest md = sha256();
        md.update(ADAPTER_VERSION.getBytes());
        for (Native n : natives) {
            byte[] b = resource(n.resource());
            original.put(n, b);
            md.update(b);
            md.update((n.fileName() + n.renames() + n.soname() + unversion()).getBytes());
        }
        Path d = root.resolve(HexFormat.of().formatHex(md.digest(), 0, 8));
        Files.createDirectories(d);
        for (Map.Entry<Native, byte[]> e : original.entrySet()) {
            Native n = e.getKey();
            Path target = d.resolve(n.fileName());
            if (Files.exists(target)) continue; // the folder name is a hash of inputs and edits
            ElfAdapter.Result r =
                    ElfAdapter.adapt(e.getValue(), n.renames(), n.soname(), unversion());
            r.edits().forEach(x -> log.add(n.fileName() + ": " + x));
            Path tmp = Files.createTempFile(d, n.fileName(), ".tmp");
            Files.write(tmp, r.bytes());
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return d;
    }

    /**
     * -Darm.cuda.elf.unversion=true: also drop the symbol versions of the renamed imports
     * (fallback).
     */
    static boolean unversion() {
        return Boolean.getBoolean("arm.cuda.elf.unversion");
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = JCudaNatives.class.getResourceAsStream(name)) {
            if (in == null)
                throw new IOException(
                        "JCuda native "
                                + name
                                + " not on the class path (add the jcuda natives jars)");
            return in.readAllBytes();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Loads one JCuda native from the cache folder and initialises the binding class that uses it
     * (e.g. "JCublas2", "jcuda.jcublas.JCublas2"). Throws UnsatisfiedLinkError with the loader's
     * message when a needed library is missing.
     */
    public static synchronized void load(String lib, String bindingClass) {
        Path d = prepare();
        System.load(d.resolve(file(lib, JCUDA)).toString());
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", d.toString());
        try {
            Class.forName(bindingClass, true, JCudaNatives.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(
                    bindingClass + " not on the class path (add the JCuda jars)", e);
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
        log.add("loaded " + file(lib, JCUDA));
    }

    /** What was adapted and loaded, one line each. */
    public static synchronized List<String> log() {
        return List.copyOf(log);
    }
}

package arm.kernels.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which CUDA libraries this machine can load, without loading any: libcuda.so.1 (the driver),
 * libcublas.so.13 or .12, libcudnn.so.9 or .8. It looks where the dynamic loader looks: the
 * LD_LIBRARY_PATH folders, the names in /etc/ld.so.cache, and the usual CUDA folders.
 *
 * <p>Pure Java; touching this class never loads JCuda. The majors decide how {@link JCudaNatives}
 * adapts the JCuda natives. System properties {@code arm.cuda.cublasMajor} / {@code
 * arm.cuda.cudnnMajor} override the detection.
 */
public final class CudaLibs {
    private CudaLibs() {}

    /** A found library: its file name and where it was seen (a path, or "ld.so.cache"). */
    public record Found(String name, String where) {}

    private static final String[] USUAL_DIRS = {
        "/usr/lib/x86_64-linux-gnu",
        "/lib/x86_64-linux-gnu",
        "/usr/lib64",
        "/usr/local/cuda/lib64",
        "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/local/nvidia/lib64",
        "/usr/lib/wsl/lib"
    };

    /** Where {@code name} (e.g. "libcuda.so.1") can be loaded from, or null. */
    public static Found find(String name) {
        for (String dir : searchDirs()) {
            Path p = Path.of(dir, name);
            if (Files.exists(p)) return new Found(name, p.toString());
        }
        return inLdCache(name) ? new Found(name, "ld.so.cache") : null;
    }

    static List<String> searchDirs() {
        List<String> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) for (String d : ld.split(":")) if (!d.isEmpty()) dirs.add(d);
        for (String d : USUAL_DIRS) dirs.add(d);
        return dirs;
    }

    private static byte[] ldCache;

    /** The cache holds each name NUL-separated, or as the tail of a path. */
    private static synchronized boolean inLdCache(String name) {
        if (ldCache == null) {
            try {
                ldCache = Files.readAllBytes(Path.of("/etc/ld.so.cache"));
            } catch (IOException | RuntimeException e) {
                ldCache = new byte[0];
            }
        }
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 1; i + n.length < ldCache.length; i++) {
            if (ldCache[i - 1] != 0 && ldCache[i - 1] != '/') continue;
            for (int j = 0; j < n.length; j++) if (ldCache[i + j] != n[j]) continue outer;
            if (ldCache[i + n.length] == 0) return true;
        }
        return false;
    }

    /** The highest loadable major among {@code majors} (e.g. 13, 12 for "libcublas.so."), or 0. */
    public static int major(String prefix, String property, int... majors) {
        String forced = System.getProperty(property);
        if (forced != null && !forced.isBlank()) return Integer.parseInt(forced.trim());
        for (int m : majors) if (find(prefix + m) != null) return m;
        return 0;
    }

    public static Found driver() {
        return find("libcuda.so.1");
    }

    public static int cublasMajor() {
        return major("libcublas.so.", "arm.cuda.cublasMajor", 13, 12);
    }

    public static int cudnnMajor() {
        return major("libcudnn.so.", "arm.cuda.cudnnMajor", 9, 8);
    }

    /** What was found, for the info stage and the results JSON. */
    public static Map<String, String> summary() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n :
                new String[] {
                    "libcuda.so.1",
                    "libcublas.so.13",
                    "libcublas.so.12",
                    "libcublasLt.so.13",
                    "libcudnn.so.9",
                    "libcudnn.so.8",
                    "libcudnn_ops.so.9",
                    "libcudnn_cnn.so.9"
                }) {
            Found f = find(n);
            m.put(n, f == null ? "not found" : f.where());
        }
        return m;
    }
}

package arm.data;

import java.io.IOException;
import java.nio.file.Path;

/** The package-private readers of arm.data, opened for arm.io.FuzzTest. */
public final class DataReaders {
    private DataReaders() {}

    /** Decodes one MiniImageNet image to size×size CHW bytes. */
    public static byte[] decodeImage(Path file, int size) throws IOException {
        return MiniImageNetCache.decode(file, size);
    }

    /** Whether a cache file belongs to {@code l}; an IOException for a damaged one. */
    public static boolean cacheMatches(Path cache, MiniImageNet.Listing l) throws IOException {
        return MiniImageNetCache.matches(cache, MiniImageNetCache.fingerprint(l), l.files().size());
    }

    public static long cacheFingerprint(MiniImageNet.Listing l) {
        return MiniImageNetCache.fingerprint(l);
    }
}

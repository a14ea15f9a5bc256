package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import jcuda.runtime.JCuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loading route itself, on a machine without a GPU: libJCudaRuntime links the CUDA runtime
 * statically and needs no driver to load, so JCuda's own class initialiser must pick up our copy
 * from the cache folder (and not extract its own to java.io.tmpdir).
 */
class JCudaLoadTest {
    @Test
    void jcudaRuntimeLoadsFromOurCacheFolder(@TempDir Path cache) {
        assumeTrue(
                System.getProperty("os.name").startsWith("Linux")
                        && System.getProperty("os.arch").equals("amd64"));
        System.setProperty("arm.cuda.cache", cache.toString());
        String tmp = System.getProperty("java.io.tmpdir");
        JCudaNatives.load("JCudaRuntime", "jcuda.runtime.JCuda");
        assertThat(System.getProperty("java.io.tmpdir")).isEqualTo(tmp);
        int[] v = new int[1];
        JCuda.cudaRuntimeGetVersion(v); // answered by the static runtime, no driver needed
        assertThat(v[0]).isGreaterThanOrEqualTo(12000);
        assertThat(JCudaNatives.prepare()).startsWith(cache);
        assertThat(JCudaNatives.log()).anyMatch(l -> l.startsWith("loaded libJCudaRuntime"));
    }
}

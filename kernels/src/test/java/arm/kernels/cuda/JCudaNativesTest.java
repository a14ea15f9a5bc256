package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cuda.elf.Elf64;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache folder JCuda loads from: names, edits, and reuse. */
class JCudaNativesTest {
    @Test
    void cuda13NativesAreAdaptedUnderTheNamesJcudaAsksFor(@TempDir Path root) throws Exception {
        Path d = JCudaNatives.prepare(root, JCudaNatives.natives(13, 9));
        for (String lib : new String[] {"JCudaDriver", "JCudaRuntime", "JCublas2", "JCudnn"})
            assertThat(d.resolve("lib" + lib + "-12.6.0-linux-x86_64.so")).exists();
        Elf64 blas = new Elf64(Files.readAllBytes(d.resolve("libJCublas2-12.6.0-linux-x86_64.so")));
        assertThat(blas.needed()).contains("libcublas.so.13");
        Elf64 dnn = new Elf64(Files.readAllBytes(d.resolve("libJCudnn-12.6.0-linux-x86_64.so")));
        assertThat(dnn.needed()).contains("libcudnn.so.9");
        assertThat(dnn.soname()).isEqualTo("libJCudnn-12.6.0-linux-x86_64.so");
        long stamp =
                Files.getLastModifiedTime(d.resolve("libJCublas2-12.6.0-linux-x86_64.so"))
                        .toMillis();
        assertThat(JCudaNatives.prepare(root, JCudaNatives.natives(13, 9))).isEqualTo(d);
        assertThat(
                        Files.getLastModifiedTime(d.resolve("libJCublas2-12.6.0-linux-x86_64.so"))
                                .toMillis())
                .isEqualTo(stamp);
    }

    @Test
    void cuda12NativesStayAsShippedInTheirOwnFolder(@TempDir Path root) throws Exception {
        Path d12 = JCudaNatives.prepare(root, JCudaNatives.natives(12, 8));
        Path d13 = JCudaNatives.prepare(root, JCudaNatives.natives(13, 9));
        assertThat(d12).isNotEqualTo(d13);
        byte[] shipped = JCudaNatives.resource("/lib/libJCublas2-12.6.0-linux-x86_64.so");
        assertThat(Files.readAllBytes(d12.resolve("libJCublas2-12.6.0-linux-x86_64.so")))
                .isEqualTo(shipped);
        Elf64 dnn = new Elf64(Files.readAllBytes(d12.resolve("libJCudnn-12.6.0-linux-x86_64.so")));
        assertThat(dnn.needed()).contains("libcudnn.so.8");
        assertThat(dnn.soname())
                .isEqualTo("libJCudnn-12.6.0-linux-x86_64.so"); // renamed even on CUDA 12
    }
}

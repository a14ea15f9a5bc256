package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where nvcc is installed: rebuilds every .cu with kernels/src/main/cuda/build.sh and checks that
 * the committed fatbins and their manifest are exactly what the sources produce (nvcc output is
 * deterministic). Without nvcc it is skipped with that message; {@link FatbinManifestTest} still
 * checks the recorded hashes.
 */
class CudaKernelsBuildTest {
    static String nvcc() {
        String path = System.getenv("PATH");
        if (path != null)
            for (String d : path.split(File.pathSeparator))
                if (Files.isExecutable(Path.of(d, "nvcc"))) return Path.of(d, "nvcc").toString();
        return Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc"))
                ? "/usr/local/cuda/bin/nvcc"
                : null;
    }

    @Test
    void committedFatbinsAreUpToDate(@TempDir Path out) throws Exception {
        String nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc not installed");
        Path src = Path.of("src/main/cuda"), res = Path.of("src/main/resources/arm/kernels/cuda");
        Process p =
                new ProcessBuilder("bash", src.resolve("build.sh").toString(), out.toString())
                        .redirectErrorStream(true)
                        .start();
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(Files.readAllLines(out.resolve("fatbins.sha256")))
                .as("fatbins.sha256 is stale: run build.sh and commit")
                .isEqualTo(Files.readAllLines(res.resolve("fatbins.sha256")));
        for (String m : CudaDevice.MODULES)
            assertThat(Files.readAllBytes(res.resolve(m + ".fatbin")))
                    .as(m + ".fatbin is stale: run kernels/src/main/cuda/build.sh and commit")
                    .isEqualTo(Files.readAllBytes(out.resolve(m + ".fatbin")));
        try (var files = Files.list(src)) {
            assertThat(files.filter(f -> f.toString().endsWith(".cu")).count())
                    .isEqualTo(CudaDevice.MODULES.length);
        }
    }
}

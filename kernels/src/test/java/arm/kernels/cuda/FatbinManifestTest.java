package arm.kernels.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs everywhere, nvcc or not: fatbins.sha256 (written by build.sh) must name every .cu, and the
 * sources and committed fatbins must still have the hashes it records. Editing a .cu without
 * rebuilding, or a fatbin not built from the committed source, fails here.
 */
class FatbinManifestTest {
    static final Path SRC = Path.of("src/main/cuda"),
            RES = Path.of("src/main/resources/arm/kernels/cuda");

    static String sha256(byte[]... parts) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) d.update(p);
        return HexFormat.of().formatHex(d.digest());
    }

    @Test
    void sourcesAndFatbinsMatchTheManifest() throws Exception {
        List<String[]> rows =
                Files.readAllLines(RES.resolve("fatbins.sha256")).stream()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .map(l -> l.trim().split("\\s+"))
                        .collect(Collectors.toList());
        List<String> modules;
        try (var files = Files.list(SRC)) {
            modules =
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(".cu"))
                            .map(n -> n.substring(0, n.length() - 3))
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertThat(rows.stream().map(r -> r[0]).sorted()).containsExactlyElementsOf(modules);
        assertThat(modules).containsExactlyInAnyOrder(CudaDevice.MODULES);
        byte[] common = Files.readAllBytes(SRC.resolve("common.cuh"));
        for (String[] r : rows) {
            ByteArrayOutputStream src = new ByteArrayOutputStream();
            src.write(Files.readAllBytes(SRC.resolve(r[0] + ".cu")));
            src.write(common);
            assertThat(sha256(src.toByteArray()))
                    .as(
                            r[0]
                                    + ".cu changed since its fatbin was built: run"
                                    + " kernels/src/main/cuda/build.sh and commit")
                    .isEqualTo(r[1]);
            assertThat(sha256(Files.readAllBytes(RES.resolve(r[0] + ".fatbin"))))
                    .as(r[0] + ".fatbin is not the one build.sh recorded")
                    .isEqualTo(r[2]);
        }
    }

    @Test
    void kernelNamesListEveryExternCKernelOfEachSource() throws Exception {
        Pattern kernel = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");
        for (String m : CudaDevice.MODULES) {
            Matcher k = kernel.matcher(Files.readString(SRC.resolve(m + ".cu")));
            List<String> found = new ArrayList<>();
            while (k.find()) found.add(k.group(1));
            assertThat(KernelNames.of(m)).as(m + ".cu").containsExactlyInAnyOrderElementsOf(found);
        }
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.Backends;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a checkpoint records as the numerics of its run, and compares on resume: the same with any
 * kernel thread count (-Darm.threads changes who computes a part, never the bits; see
 * ThreadCountTest), so resuming with another thread count prints no "written by another engine"
 * note, while the engine line for people still names the thread count.
 */
class EnvironmentTest {

    @Test
    void numericsNameKernelPathsAndJdkButNoThreadCount() {
        String n = Environment.numerics("cpu");
        assertThat(n)
                .startsWith("cpu: gemm ")
                .contains(", conv ", ", batchnorm ", "; JDK " + Runtime.version())
                .doesNotContain("thread");
    }

    @Test
    void numericsAreTheSameWithThreeKernelThreads() throws Exception {
        List<String> cmd = CliRuns.childJava(Print.class.getName(), "arm.threads=3");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines =
                out.lines()
                        .filter(l -> l.startsWith("numerics ") || l.startsWith("engine "))
                        .toList();
        assertThat(lines).as(out).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("numerics " + Environment.numerics("cpu"));
        assertThat(lines.get(1))
                .contains("3 threads")
                .isNotEqualTo("engine " + Backends.cpu().describe()); // for people
    }

    /** Prints what a child JVM (another -Darm.threads) would store in a checkpoint. */
    public static final class Print {
        public static void main(String[] args) {
            System.out.println("numerics " + Environment.numerics("cpu"));
            System.out.println("engine " + Backends.cpu().describe());
        }
    }
}

package arm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.Backends;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar arm.jar} without {@code --add-modules}: Main restarts itself in a child JVM that
 * has the Vector API, with the same JVM options and arguments, and passes on its exit code and a
 * SIGTERM. The child JVMs here run {@link Probe} instead of the CLI.
 */
class RelaunchTest {

    @Test
    void relaunchesOnlyWhenTheModuleIsMissingButAvailable() {
        String[] train = {"train", "--method", "ARM"};
        assertThat(Relaunch.needed(train, false, true, null, null)).isTrue();
        assertThat(Relaunch.needed(train, true, true, null, null)).as("already there").isFalse();
        assertThat(Relaunch.needed(train, false, false, null, null))
                .as("JDK without the module")
                .isFalse();
        assertThat(Relaunch.needed(train, false, true, "true", null))
                .as("the child itself")
                .isFalse();
        assertThat(Relaunch.needed(train, false, true, null, "false"))
                .as("-Darm.relaunch=false")
                .isFalse();
        for (String quick : List.of("plot", "--help", "-h", "--version", "-V"))
            assertThat(Relaunch.needed(new String[] {quick}, false, true, null, null))
                    .as(quick)
                    .isFalse();
        assertThat(Relaunch.needed(new String[] {"train", "--help"}, false, true, null, null))
                .isFalse();
        assertThat(Relaunch.needed(new String[0], false, true, null, null)).isFalse();
    }

    @Test
    void childKeepsJvmOptionsAndArguments() {
        List<String> cmd =
                Relaunch.command(
                        "/jdk/bin/java",
                        List.of("-Xmx3g", "-Darm.threads=2"),
                        "arm.jar",
                        "arm.cli.Main",
                        new String[] {"train", "--method", "ARM", "--M", "20"});
        assertThat(cmd)
                .containsExactly(
                        "/jdk/bin/java",
                        "-Xmx3g",
                        "-Darm.threads=2",
                        "--add-modules=jdk.incubator.vector",
                        "-Darm.relaunched=true",
                        "-cp",
                        "arm.jar",
                        "arm.cli.Main",
                        "train",
                        "--method",
                        "ARM",
                        "--M",
                        "20");
    }

    @Test
    void childRunsWithTheVectorApiAndItsExitCodeIsOurs() throws Exception {
        Process p = new ProcessBuilder(parent("exit", "7")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(7);
        assertThat(out)
                .contains(
                        "vector=true relaunched=true args=[exit, 7]",
                        "-Xmx200m",
                        "-Darm.probe=kept")
                .contains("engine cpu: gemm simd (")
                .doesNotContain("no Vector API");
    }

    @Test
    void sigtermToTheParentReachesTheChild() throws Exception {
        Process p = new ProcessBuilder(parent("sleep")).redirectErrorStream(true).start();
        BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line; (line = r.readLine()) != null && !line.equals("READY"); ) seen.add(line);
        List<ProcessHandle> children = p.children().toList();
        assertThat(children).as(String.join("\n", seen)).hasSize(1);
        p.destroy(); // SIGTERM to the parent alone
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the child's exit code after SIGTERM").isEqualTo(143);
        assertThat(children.get(0).isAlive()).isFalse();
    }

    /** A JVM without --add-modules that runs the probe through the relaunch. */
    private static List<String> parent(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                java,
                                "-Xmx200m",
                                "-XX:+UseSerialGC",
                                "-Darm.probe=kept",
                                "-cp",
                                cp,
                                Probe.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Relaunches itself, then reports what the child sees; "exit N" exits with N, "sleep" waits for
     * a signal.
     */
    public static final class Probe {
        public static void main(String[] args) throws InterruptedException {
            var child = Relaunch.withVectorApi(Probe.class, args);
            if (child.isPresent()) System.exit(child.getAsInt());
            System.out.println(
                    "vector="
                            + ModuleLayer.boot().findModule(Relaunch.MODULE).isPresent()
                            + " relaunched="
                            + System.getProperty(Relaunch.GUARD)
                            + " args="
                            + List.of(args));
            System.out.println("jvm " + ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.println("engine " + Backends.cpu().describe());
            if (args[0].equals("sleep")) {
                System.out.println("READY");
                System.out.flush();
                Thread.sleep(120_000);
            }
            System.exit(Integer.parseInt(args[1]));
        }
    }
}

package arm.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Gives {@code java -jar arm.jar …} the engine that arm.sh starts: the SIMD GEMM needs the
 * incubator module jdk.incubator.vector in the boot layer, which only the command line option
 * {@code --add-modules} puts there (a jar manifest cannot: JDK 17 and 25 ignore an {@code
 * Add-Modules} attribute, and an agent cannot add a module to the boot layer). So when the module
 * is missing from the boot layer but the JDK has it, the command is started again in a child JVM:
 * the same java binary, the same JVM options (-Xmx, -D…, as the JVM reports them), the same class
 * path, main class and arguments, plus {@code --add-modules jdk.incubator.vector}. The child shares
 * stdin, stdout and stderr; its exit code becomes ours.
 *
 * <p>Signals: Ctrl-C and a closed terminal reach the child directly (it is in the terminal's
 * foreground process group). A signal sent to this JVM alone (kill PID, timeout, a batch system)
 * starts our shutdown; the child then gets SIGTERM unless it exits within a grace period by itself,
 * and we wait for it and exit with its code, so a checkpoint being written is never cut off by us.
 *
 * <p>The child carries {@code -Darm.relaunched=true} and never relaunches itself again. {@code
 * -Darm.relaunch=false} runs the command in this JVM (on the scalar GEMM); a JDK without the module
 * does too, and its engine line says so. Commands that compute nothing (plot, help, version) run
 * here.
 */
final class Relaunch {
    private Relaunch() {}

    static final String MODULE = "jdk.incubator.vector";
    static final String GUARD = "arm.relaunched";

    /**
     * JVM options from the environment: they are in the input arguments already, so not passed
     * twice.
     */
    static final List<String> OPTION_VARIABLES =
            List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");

    private static final Set<String> HELP = Set.of("-h", "--help", "-V", "--version");
    private static final long GRACE_SECONDS = 2;

    /**
     * Runs {@code mainClass} with {@code args} in a child JVM with the Vector API when that is
     * needed and possible.
     *
     * @return the child's exit code, or empty when this JVM should run the command itself
     */
    static OptionalInt withVectorApi(Class<?> mainClass, String[] args) {
        boolean inBootLayer = ModuleLayer.boot().findModule(MODULE).isPresent();
        boolean inJdk = ModuleFinder.ofSystem().find(MODULE).isPresent();
        if (!needed(
                args,
                inBootLayer,
                inJdk,
                System.getProperty(GUARD),
                System.getProperty("arm.relaunch"))) return OptionalInt.empty();
        List<String> cmd =
                command(
                        javaBinary(),
                        ManagementFactory.getRuntimeMXBean().getInputArguments(),
                        System.getProperty("java.class.path"),
                        mainClass.getName(),
                        args);
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        Map<String, String> env = pb.environment();
        OPTION_VARIABLES.forEach(env::remove);
        Process child;
        try {
            child = pb.start();
        } catch (IOException | RuntimeException e) {
            System.err.println(
                    "arm: note: could not restart "
                            + cmd.get(0)
                            + " with --add-modules "
                            + MODULE
                            + " ("
                            + e.getMessage()
                            + "); running on the scalar GEMM");
            return OptionalInt.empty();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(child), "arm-relaunch-stop"));
        return OptionalInt.of(waitFor(child));
    }

    /** The decision, pure so that it can be tested without starting JVMs. */
    static boolean needed(
            String[] args, boolean inBootLayer, boolean inJdk, String guard, String relaunch) {
        if (inBootLayer || !inJdk || "true".equals(guard) || "false".equalsIgnoreCase(relaunch))
            return false;
        return args.length > 0
                && !args[0].equals("plot")
                && Arrays.stream(args).noneMatch(HELP::contains);
    }

    /** The child's command line. */
    static List<String> command(
            String java,
            List<String> jvmOptions,
            String classPath,
            String mainClass,
            String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("--add-modules=" + MODULE);
        cmd.add("-D" + GUARD + "=true");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The binary this JVM was started from (java.home's when the OS does not tell). */
    private static String javaBinary() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static int waitFor(Process child) {
        while (true) {
            try {
                return child.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the child decides when the command ends
            }
        }
    }

    /**
     * Our JVM is shutting down (a signal sent to it alone): let the child finish, then exit with
     * its code.
     */
    private static void stop(Process child) {
        if (!child.isAlive()) return;
        try {
            if (!child.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) child.destroy();
        } catch (InterruptedException e) {
            child.destroy();
        }
        Runtime.getRuntime().halt(waitFor(child));
    }
}

package arm.cli;

/**
 * While a command trains, Ctrl-C (SIGINT) or SIGTERM ends the JVM through its shutdown hooks; this
 * one says how to continue. Checkpoints and results.json are replaced atomically, so whatever the
 * moment, {@code --resume OUT} continues bit-identically. Removed again when the command ends.
 */
final class Interrupted implements AutoCloseable {
    private final Thread hook;

    private Interrupted(Thread hook) {
        this.hook = hook;
    }

    static Interrupted install(Main.Context ctx, Runner.Plan p) {
        String verb = Runner.verb(p);
        String line =
                "arm: stopped; finished runs are in "
                        + p.out()
                        + "; continue with: "
                        + launcher()
                        + " "
                        + verb
                        + " --resume "
                        + p.out();
        Thread t =
                new Thread(
                        () -> {
                            ctx.err().println();
                            ctx.err().println(line);
                            ctx.err().flush();
                        },
                        "arm-interrupted");
        try {
            Runtime.getRuntime().addShutdownHook(t);
        } catch (IllegalStateException e) {
            return new Interrupted(null); // already shutting down
        }
        return new Interrupted(t);
    }

    /** How the user started us: the launcher script when it set arm.home, else the jar. */
    static String launcher() {
        return System.getProperty("arm.home") != null ? "./arm.sh" : "java -jar arm.jar";
    }

    @Override
    public void close() {
        if (hook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook runs
        }
    }
}

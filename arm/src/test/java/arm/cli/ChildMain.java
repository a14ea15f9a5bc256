package arm.cli;

/**
 * The {@code arm} CLI as a child process for {@link KillResumeTest}: arm.cli.Main with real
 * methods, except that after global iteration {@code -Darm.test.pauseAt=G} it prints "PAUSED G" and
 * sleeps, waiting for the SIGKILL.
 */
public final class ChildMain {
    private ChildMain() {}

    public static void main(String[] args) {
        long pauseAt = Long.getLong("arm.test.pauseAt", -1);
        MethodFactory f =
                HookedMethod.factory(
                        g -> {
                            if (g != pauseAt) return;
                            System.out.println("PAUSED " + g);
                            System.out.flush();
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        System.exit(Main.run(args, f, System.out, System.err));
    }
}

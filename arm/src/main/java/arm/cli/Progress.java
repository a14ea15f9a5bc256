package arm.cli;

import java.io.Console;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a whole command in training iterations, with an ETA, on stderr. On a terminal it is a
 * bar redrawn in place; otherwise (CI logs, pipes) a plain line every {@link #LOG_INTERVAL_MS},
 * since a log full of carriage returns is unreadable. Messages between updates go above the bar.
 */
final class Progress implements AutoCloseable {
    static final int LOG_INTERVAL_MS = 10_000;

    private final ProgressBar bar;
    private final PrintStream err;
    private final boolean terminal;

    Progress(String task, long totalSteps, PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
        ProgressBarBuilder b =
                new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(totalSteps)
                        .setUnit(" it", 1)
                        .showSpeed();
        if (terminal) {
            b.setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(250)
                    .setConsumer(new ConsoleProgressBarConsumer(err));
        } else {
            b.setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(LOG_INTERVAL_MS)
                    .setConsumer(new DelegatingProgressBarConsumer(err::println, 100));
        }
        bar = b.build();
    }

    void step() {
        bar.step();
    }

    /** A line of text that must not be overwritten by the bar. */
    synchronized void message(String line) {
        if (terminal) err.print("\r\033[K"); // clear the bar's line; it redraws on the next update
        err.println(line);
        err.flush();
    }

    /** The stack trace of a failed run, for the bug report. */
    synchronized void trace(Throwable e) {
        e.printStackTrace(err);
    }

    @Override
    public void close() {
        bar.close();
    }

    /**
     * Whether stderr is an interactive terminal: -Darm.tty=true|false (the launcher sets it from
     * {@code [ -t 2 ]}), else the JDK's guess (System.console(), which on JDK 22+ must also report
     * isTerminal()).
     */
    static boolean isTerminal() {
        String prop = System.getProperty("arm.tty");
        if (prop != null) return Boolean.parseBoolean(prop);
        Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK < 22: a console exists only on a terminal
        }
    }
}

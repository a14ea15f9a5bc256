package arm.cli;

import picocli.CommandLine;

/**
 * The one error style of the command line: "arm: what is wrong" on one line, then at most a hint.
 */
final class Errors {
    private Errors() {}

    /** {@code -Darm.debug=true}: unexpected errors also print their stack trace. */
    static final boolean DEBUG = Boolean.getBoolean("arm.debug");

    /** A message on one line: line breaks become "; ", a repeated "X: X: " prefix is said once. */
    static String oneLine(String m) {
        if (m == null) return "unknown error";
        String s = m.strip().replaceAll("\\s*\\R\\s*", "; ");
        int colon = s.indexOf(": ");
        if (colon > 0) {
            String head = s.substring(0, colon + 2);
            while (s.startsWith(head + head)) s = s.substring(head.length());
        }
        return s;
    }

    /** "arm train --help" for the command whose parse failed. */
    static String helpFor(CommandLine cl) {
        StringBuilder name = new StringBuilder();
        for (CommandLine c = cl; c != null; c = c.getParent())
            name.insert(0, c.getCommandName() + (name.length() > 0 ? " " : ""));
        return name + " --help";
    }
}

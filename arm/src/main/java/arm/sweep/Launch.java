package arm.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts {@code arm run-one} in a fresh JVM: this JVM's java binary, its options
 * (heap, --add-modules jdk.incubator.vector, …) and class path, so that a run started by a sweep
 * computes exactly what a run of this process would.
 */
public final class Launch {
  private Launch() {}

  /** java, JVM options, -cp, class path, arm.cli.Main. */
  public static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(jvmOptions());
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add("arm.cli.Main");
    return cmd;
  }

  public static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** This JVM's options without debugger and agent attachments (a test's coverage agent). */
  public static List<String> jvmOptions() {
    List<String> out = new ArrayList<>();
    for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
      if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-Dsurefire")
          && !a.startsWith("-XX:+HeapDumpOnOutOfMemoryError") && !a.startsWith("-Dbasedir")) out.add(a);
    if (out.stream().noneMatch(a -> a.contains("jdk.incubator.vector"))) out.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    return out;
  }

  public static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isEmpty()) cp = System.getProperty("java.class.path");
    List<String> abs = new ArrayList<>(); // a task may start in another folder
    for (String e : cp.split(java.io.File.pathSeparator))
      if (!e.isEmpty()) abs.add(java.nio.file.Path.of(e).toAbsolutePath().normalize().toString());
    return String.join(java.io.File.pathSeparator, abs);
  }

  /** Single-quoted for bash. */
  public static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Downloads one URL to a file with the JDK's HTTP client, for scripts/fetch-mnist.sh on a machine
 * without curl and wget: {@code java scripts/Download.java URL OUT} (JDK 11 or newer runs a source
 * file directly). Follows redirects, honours https_proxy / HTTPS_PROXY, fails on any status but 200
 * with a one-line message, and never leaves a partial OUT behind.
 */
public class Download {
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: java Download.java URL OUT");
      System.exit(2);
    }
    Path out = Path.of(args[1]);
    Path part = out.resolveSibling(out.getFileName() + ".download");
    try {
      HttpClient.Builder b = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(20));
      ProxySelector proxy = proxyFromEnvironment();
      if (proxy != null) b.proxy(proxy);
      HttpRequest req = HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofMinutes(10)).build();
      HttpResponse<Path> r = b.build().send(req, HttpResponse.BodyHandlers.ofFile(part));
      if (r.statusCode() != 200) {
        Files.deleteIfExists(part);
        System.err.println("HTTP " + r.statusCode() + " for " + args[0]);
        System.exit(1);
      }
      Files.move(part, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | IllegalArgumentException e) {
      try {
        Files.deleteIfExists(part);
      } catch (IOException ignored) {
        // nothing more to clean
      }
      Throwable why = e.getMessage() == null && e.getCause() != null ? e.getCause() : e;
      System.err.println("cannot download " + args[0] + ": " + why);
      System.exit(1);
    }
  }

  /** https_proxy=http://host:port (as curl reads it), or null. */
  private static ProxySelector proxyFromEnvironment() {
    String p = System.getenv("https_proxy");
    if (p == null || p.isBlank()) p = System.getenv("HTTPS_PROXY");
    if (p == null || p.isBlank()) return null;
    URI u = URI.create(p.contains("://") ? p : "http://" + p);
    return ProxySelector.of(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()));
  }
}

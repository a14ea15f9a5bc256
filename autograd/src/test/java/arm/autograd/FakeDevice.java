package arm.autograd;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.CpuStorage;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Storage;
import arm.tensor.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A GPU stand-in for tests on machines without one: a {@link Backend} for {@link Device#CUDA}
 * whose tensors are host arrays behind a storage that says CUDA, computed by the CPU backend.
 * What goes wrong on a real GPU goes wrong here too: a device tensor handed to the CPU backend
 * (or read with {@code data()}) fails with "tensor lives on CUDA", a host tensor handed to this
 * backend fails, a tensor used after its {@link Scope} freed it fails, and a buffer from {@code
 * empty} is NaN until written, so an op that relies on zeros there fails. Results equal the CPU's
 * bit for bit, so a device run can be compared with a CPU run exactly.
 *
 * <pre>
 * try (FakeDevice gpu = FakeDevice.install()) { … Methods.create("ARM", Map.of("device", "cuda")) … }
 * </pre>
 */
public final class FakeDevice implements AutoCloseable {
  private final Backend previous;

  private FakeDevice(Backend previous) {
    this.previous = previous;
  }

  /** Makes {@code Backends.get(Device.CUDA)} the fake until {@link #close}. */
  public static FakeDevice install() {
    Backend cpu = Backends.cpu();
    InvocationHandler h = (proxy, m, args) -> invoke(cpu, m, args);
    Backend fake = (Backend) Proxy.newProxyInstance(
        FakeDevice.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    return new FakeDevice(Backends.set(fake));
  }

  /** Puts back the CUDA backend there was before (none on a machine without a GPU). */
  @Override
  public void close() {
    if (previous != null) Backends.set(previous);
    else Backends.remove(Device.CUDA);
  }

  /** Device memory: a host array that only this backend may read, and not after close. */
  static final class FakeStorage implements Storage {
    final float[] data;
    boolean freed;

    FakeStorage(float[] data) {
      this.data = data;
    }

    @Override public Device device() { return Device.CUDA; }
    @Override public long size() { return data.length; }
    @Override public void close() { freed = true; }
  }

  private static Object invoke(Backend cpu, Method m, Object[] args) throws Throwable {
    switch (m.getName()) {
      case "device": return Device.CUDA;
      case "describe": return "fake cuda over " + cpu.describe();
      case "zeros": return allocate(new float[Shape.numel((int[]) args[0])], (int[]) args[0]);
      case "empty": return allocate(garbage(Shape.numel((int[]) args[0])), (int[]) args[0]);
      case "upload": return allocate(((float[]) args[0]).clone(), (int[]) args[1]);
      case "download": return onHost((Tensor) args[0]).toArray();
      default: break;
    }
    Object[] a = args == null ? null : args.clone();
    if (a != null) for (int i = 0; i < a.length; i++) if (a[i] instanceof Tensor t) a[i] = onHost(t);
    try {
      return m.invoke(cpu, a);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** What {@code empty} hands out: NaN, so a result that depends on a buffer's old contents is NaN. */
  private static float[] garbage(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, Float.NaN);
    return a;
  }

  private static Tensor allocate(float[] data, int[] shape) {
    Tensor t = new Tensor(new FakeStorage(data), 0, shape);
    Scope.track(t);
    return t;
  }

  /** The host view the CPU kernels work on (same array, so outputs land in device memory). */
  private static Tensor onHost(Tensor t) {
    if (!(t.storage instanceof FakeStorage s))
      throw new IllegalStateException("tensor lives on " + t.device() + ", not on the (fake) CUDA device");
    if (s.freed) throw new IllegalStateException("tensor " + t + " used after its scope freed it");
    return new Tensor(new CpuStorage(s.data), t.offset, t.shape);
  }
}

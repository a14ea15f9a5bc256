package arm.tensor;

/**
 * Service interface (META-INF/services) through which backends are found. Creating the provider
 * must be cheap and must not load any native library; {@link #create()} may.
 */
public interface BackendProvider {
    Device device();

    Backend create();
}

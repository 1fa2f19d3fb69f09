package dev.appliance.registry;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import dev.appliance.common.ApplianceException;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Jib's HTTP client, configured for one {@link Endpoint}.
 *
 * <p>Jib 0.28.1's public {@link FailoverHttpClient} constructor takes its TLS trust
 * from the JVM-wide default SSLContext and retries failed I/O on its own for up to
 * 15 minutes. The package-private constructor (marked for testing) accepts the
 * transports and turns those retries off; calling it reflectively lets
 * {@code --ca-cert} trust a private CA for this transfer only, without changing
 * the process-wide default, and leaves retries to {@link Retry} with its bounded
 * backoff. jib-core's version is pinned in the parent POM for this reason; a
 * different version fails here with a clear message, and RegistryTransferTest
 * covers it.
 */
final class JibHttp {
    private JibHttp() {}

    static FailoverHttpClient client(Endpoint endpoint) {
        SSLConnectionSocketFactory sockets = endpoint.verified()
                ? new SSLConnectionSocketFactory(endpoint.tls(), SSLConnectionSocketFactory.getDefaultHostnameVerifier())
                : new SSLConnectionSocketFactory(endpoint.tls(), NoopHostnameVerifier.INSTANCE);
        // Jib wants a fresh transport per request: reused Apache connections fail with NoHttpResponseException.
        Supplier<HttpTransport> transport = () -> new ApacheHttpTransport(
                ApacheHttpTransport.newDefaultHttpClientBuilder().setSSLSocketFactory(sockets).build());
        Consumer<LogEvent> ignore = event -> {};
        // Jib always starts with https://; "failover" is how it reaches a plain-HTTP
        // registry, and credentials may go over HTTP only to one we chose to speak HTTP to.
        boolean http = endpoint.plainHttp();
        try {
            Constructor<FailoverHttpClient> constructor = FailoverHttpClient.class.getDeclaredConstructor(
                    boolean.class, boolean.class, Consumer.class, Supplier.class, Supplier.class, boolean.class);
            constructor.setAccessible(true);
            return constructor.newInstance(http, http, ignore, transport, transport, false);
        } catch (NoSuchMethodException | IllegalAccessException | InstantiationException e) {
            throw new ApplianceException("this jib-core version lacks FailoverHttpClient(boolean, boolean, Consumer, "
                    + "Supplier, Supplier, boolean): appliance needs jib-core 0.28.1", e);
        } catch (InvocationTargetException e) {
            throw new ApplianceException("cannot create the registry HTTP client: " + e.getCause().getMessage(), e.getCause());
        }
    }
}

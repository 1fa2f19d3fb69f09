package dev.appliance.registry;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.apache.v2.ApacheHttpTransport;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import dev.appliance.common.ApplianceException;
import org.apache.http.HttpHost;
import org.apache.http.client.HttpClient;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.routing.HttpRoute;
import org.apache.http.conn.routing.HttpRoutePlanner;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

import java.lang.reflect.Constructor;
import java.net.URI;
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
 * different version fails here with a clear message, and every push test fails.
 */
final class JibHttp {
    private JibHttp() {}

    static FailoverHttpClient client(Endpoint endpoint) {
        // Apache's default verifier loads the public suffix list (a noticeable part of
        // a push's start-up): only made when TLS is used at all.
        SSLConnectionSocketFactory sockets = endpoint.plainHttp() ? null
                : endpoint.verified()
                ? new SSLConnectionSocketFactory(endpoint.tls(), SSLConnectionSocketFactory.getDefaultHostnameVerifier())
                : new SSLConnectionSocketFactory(endpoint.tls(), NoopHostnameVerifier.INSTANCE);
        // Jib always builds https:// URLs and would reach a plain-HTTP registry only
        // after two failed TLS handshakes ("failover"). For an endpoint already known
        // to speak HTTP (loopback, or --insecure), route every request over plain HTTP
        // instead; it then never needs failover.
        HttpRoutePlanner routes = endpoint.plainHttp() ? plainHttpRoutes(endpoint) : null;
        // Jib wants a fresh transport per request: reused Apache connections fail with NoHttpResponseException.
        Supplier<HttpTransport> transport = () -> new ApacheHttpTransport(routes == null
                ? ApacheHttpTransport.newDefaultHttpClientBuilder().setSSLSocketFactory(sockets).build()
                : plainHttpClient(routes));
        Consumer<LogEvent> ignore = event -> {};
        // Registries answer uploads with absolute Location URLs in their own scheme;
        // Jib follows http:// ones only with "failover" on. Credentials may then go
        // over HTTP, which is what loopback and --insecure registries get.
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

    /**
     * Routes requests to the registry's own host over plain HTTP. Any other host
     * (a token service the registry names) keeps its scheme: an https:// realm
     * elsewhere must not be downgraded to plain HTTP with the credentials in it
     * (this client has no TLS, so such a request fails instead of leaking).
     */
    static HttpRoutePlanner plainHttpRoutes(Endpoint endpoint) {
        String registryHost = URI.create("http://" + endpoint.host()).getHost();
        return (target, request, context) -> new HttpRoute(target.getHostName().equalsIgnoreCase(registryHost)
                ? new HttpHost(target.getHostName(), target.getPort(), "http") : target);
    }

    /**
     * Google's default builder sets up TLS (the JDK's CA store) even for plain-HTTP
     * requests; this one has only the HTTP socket factory, with the same settings
     * that matter (google-http-client does redirects and retries itself).
     */
    private static HttpClient plainHttpClient(HttpRoutePlanner routes) {
        Registry<ConnectionSocketFactory> sockets = RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", PlainConnectionSocketFactory.getSocketFactory())
                .build();
        return HttpClientBuilder.create()
                .setConnectionManager(new PoolingHttpClientConnectionManager(sockets))
                .setRoutePlanner(routes)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .build();
    }
}

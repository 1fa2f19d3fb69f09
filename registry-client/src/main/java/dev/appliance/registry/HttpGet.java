package dev.appliance.registry;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

/**
 * One GET over HttpURLConnection with a given TLS trust. Chosen over
 * java.net.http for the read side because it streams a response body straight
 * into the caller's buffer (java.net.http allocates a buffer per read, which cost
 * half the CPU of a pull here) and starts without a selector thread.
 */
final class HttpGet {
    private static final int MAX_REDIRECTS = 5;

    private HttpGet() {}

    /** The response; read {@link #body()} and close it. */
    record Response(int status, HttpURLConnection connection) implements AutoCloseable {
        String header(String name) {
            return connection.getHeaderField(name);
        }

        /** The body, also for error statuses (empty when there is none). */
        InputStream body() throws IOException {
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            return in == null ? InputStream.nullInputStream() : in;
        }

        @Override
        public void close() {
            try {
                body().close();
            } catch (IOException e) {
                // The connection is dropped instead of reused; nothing else to do.
            }
        }
    }

    static Response send(URI uri, String accept, String authorization, Endpoint endpoint, Duration timeout) throws IOException {
        return send(uri, accept, authorization, endpoint.tls(), endpoint.verified(), timeout);
    }

    static Response send(URI uri, String accept, String authorization, SSLContext tls, boolean verified, Duration timeout)
            throws IOException {
        URI target = uri;
        String auth = authorization;
        for (int redirects = 0; ; redirects++) {
            Response response = sendOnce(target, accept, auth, tls, verified, timeout);
            String location = response.header("Location");
            if (response.status() < 300 || response.status() > 399 || location == null) {
                return response;
            }
            response.close();
            if (redirects == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
            }
            URI next = target.resolve(location);
            if ("https".equals(target.getScheme()) && !"https".equals(next.getScheme())) {
                throw new IOException(uri + " redirects from HTTPS to " + next.getScheme() + ": refused");
            }
            // Blob downloads are often redirected to storage with a signed URL: the
            // registry's credentials must not go there (and a second auth scheme makes
            // such stores refuse the request).
            if (!next.getRawAuthority().equals(target.getRawAuthority())) {
                auth = null;
            }
            target = next;
        }
    }

    private static Response sendOnce(URI uri, String accept, String authorization, SSLContext tls, boolean verified,
                                     Duration timeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
            if (!verified) {
                https.setHostnameVerifier((host, session) -> true);
            }
        }
        connection.setConnectTimeout((int) timeout.toMillis());
        connection.setReadTimeout((int) timeout.toMillis());
        // Redirects are followed above, where the credentials can be kept off other hosts.
        connection.setInstanceFollowRedirects(false);
        connection.setRequestProperty("Accept", accept);
        connection.setRequestProperty("User-Agent", "appliance");
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        }
        return new Response(connection.getResponseCode(), connection);
    }
}

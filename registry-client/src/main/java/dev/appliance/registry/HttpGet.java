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
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.getSocketFactory());
            if (!verified) {
                https.setHostnameVerifier((host, session) -> true);
            }
        }
        connection.setConnectTimeout((int) timeout.toMillis());
        connection.setReadTimeout((int) timeout.toMillis());
        connection.setInstanceFollowRedirects(true);
        connection.setRequestProperty("Accept", accept);
        connection.setRequestProperty("User-Agent", "appliance");
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        }
        return new Response(connection.getResponseCode(), connection);
    }
}

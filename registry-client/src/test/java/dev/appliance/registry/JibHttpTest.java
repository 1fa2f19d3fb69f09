package dev.appliance.registry;

import org.apache.http.HttpHost;
import org.apache.http.conn.routing.HttpRoutePlanner;
import org.apache.http.message.BasicHttpRequest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which requests of a push to a plain-HTTP registry go over plain HTTP: the registry's own, never a token service's https. */
class JibHttpTest {
    private static String schemeOf(HttpRoutePlanner routes, HttpHost target) throws Exception {
        return routes.determineRoute(target, new BasicHttpRequest("GET", "/"), null).getTargetHost().getSchemeName();
    }

    @Test
    void onlyTheRegistryHostIsDowngradedToPlainHttp() throws Exception {
        Endpoint endpoint = new Endpoint("127.0.0.1:5000", "127.0.0.1:5000", true, TlsContexts.trustNothing(), true);
        HttpRoutePlanner routes = JibHttp.plainHttpRoutes(endpoint);
        assertEquals("http", schemeOf(routes, new HttpHost("127.0.0.1", 5000, "https")), "Jib's https:// URLs for the registry");
        assertEquals("https", schemeOf(routes, new HttpHost("auth.example.com", 443, "https")), "a remote token realm keeps TLS");
        assertEquals("http", schemeOf(routes, new HttpHost("127.0.0.1", 5001, "http")), "an http realm stays http");
    }
}

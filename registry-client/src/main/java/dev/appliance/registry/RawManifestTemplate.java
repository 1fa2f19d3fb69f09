package dev.appliance.registry;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.google.cloud.tools.jib.image.json.ManifestTemplate;
import dev.appliance.oci.Manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Hands Jib a manifest whose JSON is exactly the stored bytes. Jib serializes
 * manifest templates itself (and computes the digest it expects from that
 * serialization); a round trip through its OCI template would drop annotations and
 * change the digest, so the serializer writes the raw bytes unchanged.
 */
@JsonSerialize(using = RawManifestTemplate.Writer.class)
final class RawManifestTemplate implements ManifestTemplate {
    private final Manifest manifest;

    RawManifestTemplate(Manifest manifest) {
        this.manifest = manifest;
    }

    @Override
    public int getSchemaVersion() {
        return 2;
    }

    @Override
    public String getManifestMediaType() {
        return manifest.mediaType();
    }

    static final class Writer extends StdSerializer<RawManifestTemplate> {
        Writer() {
            super(RawManifestTemplate.class);
        }

        @Override
        public void serialize(RawManifestTemplate value, JsonGenerator out, SerializerProvider provider) throws IOException {
            // Manifests are UTF-8 JSON (the OCI spec requires it), so this decode/encode is lossless.
            out.writeRawValue(new String(value.manifest.raw(), StandardCharsets.UTF_8));
        }
    }
}

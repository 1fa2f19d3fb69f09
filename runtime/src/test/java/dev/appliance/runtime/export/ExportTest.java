package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.oci.StateDirs;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RetryPolicy;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.disk.TestLayer;
import dev.appliance.runtime.instance.ImageLimits;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Export formats checked with independent tools (sfdisk, mtools, e2fsck, qemu-img,
 * virt-xml-validate, an OVF parser, skopeo against a real registry). The image here has a stand-in
 * kernel: {@link ExportBootTest} boots a real one.
 */
class ExportTest {
  static final ApplianceMetadata METADATA =
      new ApplianceMetadata(
          "web",
          "1.0",
          List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
          new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, 120),
          768,
          2,
          64L << 20,
          new ApplianceMetadata.Kernels("/vmlinuz", "/initrd.img", null),
          "quiet",
          List.of());

  @TempDir Path tmp;
  ImageLayers image;

  @BeforeEach
  void image() throws IOException {
    image =
        new ImageLayers("web:1.0", "sha256:5e", List.of(standInLayer(tmp.resolve("layer.tar.gz"))));
  }

  /**
   * Kernel, initrd and loader stand-ins, a file owned by uid 1000: enough to build a disk, not to
   * boot it.
   */
  static Path standInLayer(Path file) throws IOException {
    return new TestLayer()
        .file("boot/vmlinuz-6.12", "stand-in kernel")
        .file("boot/initrd.img-6.12", "stand-in initrd")
        .symlink("vmlinuz", "boot/vmlinuz-6.12")
        .symlink("initrd.img", "boot/initrd.img-6.12")
        .file("usr/lib/systemd/boot/efi/systemd-bootx64.efi", "stand-in loader")
        .file("etc/hostname", "web\n")
        .file("home/web/secret", "mine", 0600, 1000, 1000)
        .writeTo(file);
  }

  Exporter exporter(RegistryOptions registry) {
    return new Exporter(
        new DiskAssembler(tmp.resolve("disks")),
        new ImageFiles(tmp.resolve("files")),
        ImageStore.open(tmp.resolve("store")),
        registry,
        new TransferListener() {});
  }

  /** Exports the stand-in image in {@code format} to {@code out/}, with libvirt XML or not. */
  private ExportResult exportToOut(ExportFormat format, boolean libvirt) {
    return exporter(RegistryOptions.defaults())
        .export(image, METADATA, new ExportOptions(format, tmp.resolve("out"), libvirt, null));
  }

  @Test
  void updatingDiskHasRootSlotsAAndBAndADataPartitionWithTheUpdaterConfiguration()
      throws Exception {
    ExportResult result =
        exporter(RegistryOptions.defaults())
            .export(
                image,
                METADATA,
                updating(new StateVolume(List.of("/var/lib/web"), StateVolume.DEFAULT_BYTES)));
    Path raw = result.disk();
    JsonNode partitions =
        new ObjectMapper()
            .readTree(run("sfdisk", "--json", raw.toString()))
            .get("partitiontable")
            .get("partitions");
    assertEquals(4, partitions.size(), partitions.toString());
    List<String> names = new ArrayList<>();
    partitions.forEach(p -> names.add(p.get("name").asText()));
    assertEquals(List.of("esp", "root-a", "root-b", "data"), names);
    JsonNode slotA = partitions.get(1);
    JsonNode slotB = partitions.get(2);
    assertEquals(slotA.get("size").asLong(), slotB.get("size").asLong(), "slots of one size");
    assertEquals(slotA.get("type").asText(), slotB.get("type").asText());

    String esp = raw + "@@" + partitions.get(0).get("start").asLong() * 512;
    assertEquals("stand-in kernel", run("mtype", "-i", esp, "::/slot-a/vmlinuz"));
    assertEquals(
        "default slot-a.conf\ntimeout 0\n", run("mtype", "-i", esp, "::/loader/loader.conf"));
    String entry = run("mtype", "-i", esp, "::/loader/entries/slot-a.conf");
    String partUuid = slotA.get("uuid").asText().toLowerCase();
    assertTrue(
        entry.contains(
            "linux /slot-a/vmlinuz\ninitrd /slot-a/initrd.img\n"
                + "options root=PARTUUID="
                + partUuid
                + " appliance.slot=a rw "),
        entry);
    assertTrue(entry.contains(" quiet appliance.state=/var/lib/web\n"), entry);

    Path rootA = tmp.resolve("a.ext4");
    copyRange(raw, slotA.get("start").asLong() * 512, slotA.get("size").asLong() * 512, rootA);
    assertTrue(run("debugfs", "-R", "cat /etc/hostname", rootA.toString()).contains("web"));

    JsonNode dataPart = partitions.get(3);
    Path data = tmp.resolve("data.ext4");
    copyRange(raw, dataPart.get("start").asLong() * 512, dataPart.get("size").asLong() * 512, data);
    assertEquals(
        0,
        HostTool.runAllowingFailure(List.of("e2fsck", "-fn", data.toString()), tmp, Map.of())
            .exitCode());
    assertEquals(
        "appliance-state", run("blkid", "-o", "value", "-s", "LABEL", data.toString()).strip());
    assertEquals(
        "registry.example:5000/ops/web:stable\n",
        run("debugfs", "-R", "cat /update/follow", data.toString()));
    assertEquals(
        image.digest() + "\n", run("debugfs", "-R", "cat /slots/a/digest", data.toString()));
    assertEquals(
        "http 80 /healthz 200 120\n", run("debugfs", "-R", "cat /slots/a/health", data.toString()));
    String shared = run("debugfs", "-R", "cat /update/options", data.toString());
    assertTrue(entry.contains(shared), "slot B's entry will share A's options: " + shared);
  }

  @Test
  void updateSourcesThatAreNotPlainReferencesAreRefused() {
    for (String bad :
        List.of(
            "registry.example/web",
            "registry.example/web:1;reboot",
            "https://registry.example/web:1",
            "registry.example/web:1 --insecure",
            "registry.example/Web:1")) {
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class,
              () -> UpdateChannel.following(bad, null, UpdateChannel.DEFAULT_DATA_BYTES),
              bad);
      assertTrue(e.getMessage().contains("REGISTRY/REPOSITORY:TAG"), e.getMessage());
    }
  }

  @Test
  void rawDiskHasAnEspWithTheLoaderEntryAndTheRootPartition() throws Exception {
    ExportResult result = exportToOut(ExportFormat.RAW, true);
    Path raw = result.disk();
    assertEquals(tmp.resolve("out/web-1.0.raw"), raw);

    JsonNode info =
        new ObjectMapper().readTree(run("qemu-img", "info", "--output=json", raw.toString()));
    assertEquals("raw", info.get("format").asText());
    assertTrue(
        info.get("actual-size").asLong() < info.get("virtual-size").asLong(),
        "sparse: holes stay holes");

    JsonNode table =
        new ObjectMapper().readTree(run("sfdisk", "--json", raw.toString())).get("partitiontable");
    assertEquals("gpt", table.get("label").asText());
    JsonNode esp = table.get("partitions").get(0);
    JsonNode root = table.get("partitions").get(1);
    assertEquals("C12A7328-F81F-11D2-BA4B-00A0C93EC93B", esp.get("type").asText());
    String partUuid = root.get("uuid").asText().toLowerCase();

    String mtoolsImage = raw + "@@" + esp.get("start").asLong() * 512;
    assertEquals("stand-in loader", run("mtype", "-i", mtoolsImage, "::/EFI/BOOT/BOOTX64.EFI"));
    assertEquals("stand-in kernel", run("mtype", "-i", mtoolsImage, "::/vmlinuz"));
    String entry = run("mtype", "-i", mtoolsImage, "::/loader/entries/appliance.conf");
    assertTrue(entry.contains("linux /vmlinuz\ninitrd /initrd.img\n"), entry);
    assertTrue(entry.contains("root=PARTUUID=" + partUuid + " "), entry);
    assertTrue(entry.strip().endsWith("quiet"), "image's own command line: " + entry);

    Path rootFs = tmp.resolve("root.ext4");
    copyRange(raw, root.get("start").asLong() * 512, root.get("size").asLong() * 512, rootFs);
    assertEquals(
        0,
        HostTool.runAllowingFailure(List.of("e2fsck", "-fn", rootFs.toString()), tmp, Map.of())
            .exitCode());
    assertTrue(run("debugfs", "-R", "cat /etc/hostname", rootFs.toString()).contains("web"));

    Path xml = tmp.resolve("out/web-1.0.xml");
    assertEquals(List.of(raw, xml), result.files());
    run("virt-xml-validate", xml.toString(), "domain");
    String domain = Files.readString(xml);
    assertTrue(
        domain.contains("<memory unit=\"MiB\">768</memory>") && domain.contains("<vcpu>2</vcpu>"),
        domain);
    assertTrue(
        domain.contains("<source file=\"" + raw + "\"/>") && domain.contains("type=\"raw\""),
        domain);
    assertEquals(List.of(), leftovers(tmp.resolve("out")), "no temporary files left");
  }

  @Test
  void qcow2PassesQemuImgCheck() throws Exception {
    ExportResult result = exportToOut(ExportFormat.QCOW2, true);
    run("qemu-img", "check", result.disk().toString());
    JsonNode info =
        new ObjectMapper()
            .readTree(run("qemu-img", "info", "--output=json", result.disk().toString()));
    assertEquals("qcow2", info.get("format").asText());
    assertTrue(info.get("virtual-size").asLong() > METADATA.diskBytes());
    run("virt-xml-validate", result.files().get(1).toString(), "domain");
    assertTrue(Files.readString(result.files().get(1)).contains("type=\"qcow2\""));
  }

  @Test
  void firstBootInputsGoOnAPrivateConfigDiskThatTheLibvirtDomainAttaches() throws Exception {
    ExportOptions options =
        new ExportOptions(
            ExportFormat.QCOW2,
            tmp.resolve("out"),
            true,
            null,
            Map.of("site_name", "web01"),
            Map.of("db_password", "s3cret".getBytes(StandardCharsets.UTF_8)));
    ExportResult result = exporter(RegistryOptions.defaults()).export(image, METADATA, options);

    Path config = tmp.resolve("out/web-1.0-config.img");
    assertTrue(result.files().contains(config), result.files().toString());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(config)),
        "it holds the secrets");
    assertEquals(
        "appliance-cfg",
        run("e2label", config.toString()).strip(),
        "the label the guest's first-boot unit looks for");
    assertEquals("web01", run("debugfs", "-R", "cat /params/site_name", config.toString()));
    assertEquals("s3cret", run("debugfs", "-R", "cat /secrets/db_password", config.toString()));

    Path xml = tmp.resolve("out/web-1.0.xml");
    run("virt-xml-validate", xml.toString(), "domain");
    String domain = Files.readString(xml);
    assertTrue(
        domain.contains("<source file=\"" + config + "\"/>")
            && domain.contains("<target dev=\"vdb\""),
        domain);
    assertTrue(
        !domain.contains("s3cret") && !domain.contains("web01"), "values stay on the config disk");
  }

  @Test
  void ovaHoldsTheOvfFirstReferencingTheStreamOptimizedVmdk() throws Exception {
    ExportResult result = exportToOut(ExportFormat.OVA, false);
    Path unpacked = Files.createDirectory(tmp.resolve("unpacked"));
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(Files.newInputStream(result.disk()))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
        Files.copy(tar, unpacked.resolve(e.getName()));
      }
    }
    assertEquals(List.of("web-1.0.ovf", "web-1.0.mf", "web-1.0-disk1.vmdk"), names);
    Path vmdk = unpacked.resolve("web-1.0-disk1.vmdk");
    JsonNode info =
        new ObjectMapper().readTree(run("qemu-img", "info", "--output=json", vmdk.toString()));
    assertEquals("vmdk", info.get("format").asText());
    assertEquals(
        "streamOptimized", info.get("format-specific").get("data").get("create-type").asText());

    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document ovf = factory.newDocumentBuilder().parse(unpacked.resolve("web-1.0.ovf").toFile());
    String ns = "http://schemas.dmtf.org/ovf/envelope/1";
    Element file = (Element) ovf.getElementsByTagNameNS(ns, "File").item(0);
    assertEquals("web-1.0-disk1.vmdk", file.getAttributeNS(ns, "href"));
    assertEquals(Long.toString(Files.size(vmdk)), file.getAttributeNS(ns, "size"));
    Element disk = (Element) ovf.getElementsByTagNameNS(ns, "Disk").item(0);
    assertEquals(
        info.get("virtual-size").asLong(), Long.parseLong(disk.getAttributeNS(ns, "capacity")));
    String rasd =
        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    List<String> quantities = new ArrayList<>();
    for (int i = 0; i < ovf.getElementsByTagNameNS(rasd, "VirtualQuantity").getLength(); i++) {
      quantities.add(ovf.getElementsByTagNameNS(rasd, "VirtualQuantity").item(i).getTextContent());
    }
    assertEquals(List.of("2", "768"), quantities, "cpus and memory from the image");
    String mf = Files.readString(unpacked.resolve("web-1.0.mf"));
    assertTrue(mf.contains("SHA256(web-1.0-disk1.vmdk)= "), mf);
  }

  @Test
  void libvirtNeedsADiskLibvirtCanBoot() {
    assertThrows(InvalidInputException.class, () -> exportToOut(ExportFormat.OVA, true));
  }

  @Test
  void imageWithoutBootLoaderIsRefusedClearly() throws IOException {
    Path layer =
        new TestLayer()
            .file("boot/vmlinuz", "k")
            .symlink("vmlinuz", "boot/vmlinuz")
            .writeTo(tmp.resolve("noloader.tar.gz"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                exporter(RegistryOptions.defaults())
                    .export(
                        new ImageLayers("bare:1", "sha256:0b", List.of(layer)),
                        METADATA,
                        new ExportOptions(ExportFormat.RAW, tmp.resolve("out"), false, null)));
    assertTrue(e.getMessage().contains("systemd-boot-efi"), e.getMessage());
  }

  @Test
  void aFailedPushPublishesNothing() throws IOException {
    RegistryOptions noRetries =
        RegistryOptions.defaults().withRetry(new RetryPolicy(1, Duration.ZERO));
    Path out = tmp.resolve("out");
    assertThrows(
        ApplianceException.class,
        () ->
            exporter(noRetries)
                .export(
                    image,
                    METADATA,
                    new ExportOptions(
                        ExportFormat.QCOW2, out, true, "127.0.0.1:1/nowhere/web:1.0")));
    try (var files = Files.list(out)) {
      assertEquals(List.of(), files.toList(), "no disk, no XML, no temporary directory");
    }
    assertEquals(
        List.of(), ImageStore.open(tmp.resolve("store")).tags(), "no tag left in the local store");
  }

  @Test
  void kubevirtContainerDiskIsPullableWithTheDiskUnderDisk() throws Exception {
    try (RegistryServer registry = RegistryServer.plain(tmp.resolve("registry"))) {
      String ref = registry.host() + "/appliances/web-disk:1.0";
      ExportResult result =
          exporter(RegistryOptions.defaults())
              .export(
                  image,
                  METADATA,
                  new ExportOptions(ExportFormat.QCOW2, tmp.resolve("out"), false, ref));
      assertTrue(
          result.containerDisk().startsWith(registry.host() + "/appliances/web-disk@sha256:"),
          result.containerDisk());

      Path pulled = tmp.resolve("pulled");
      run(
          "skopeo",
          "copy",
          "--src-tls-verify=false",
          "docker://" + result.containerDisk(),
          "oci:" + pulled + ":x");
      JsonNode index = new ObjectMapper().readTree(pulled.resolve("index.json").toFile());
      JsonNode manifest =
          new ObjectMapper()
              .readTree(
                  blob(pulled, index.get("manifests").get(0).get("digest").asText()).toFile());
      Path layer = blob(pulled, manifest.get("layers").get(0).get("digest").asText());
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(layer)))) {
        TarArchiveEntry dir = tar.getNextEntry();
        assertEquals("disk/", dir.getName());
        TarArchiveEntry disk = tar.getNextEntry();
        assertEquals("disk/disk.qcow2", disk.getName());
        assertEquals(107, disk.getLongUserId());
        assertEquals(107, disk.getLongGroupId());
        Path copy = tmp.resolve("containerdisk.qcow2");
        Files.copy(tar, copy);
        run("qemu-img", "check", copy.toString());
        // Compressed: smaller than the plain qcow2 export, with the same disk inside.
        run("qemu-img", "compare", copy.toString(), result.disk().toString());
        assertTrue(
            Files.size(copy) < Files.size(result.disk()),
            Files.size(copy) + " vs " + Files.size(result.disk()));
      }
      // 2 CPUs, 768 MiB: the smallest u1 type with 2 CPUs.
      JsonNode labels =
          new ObjectMapper()
              .readTree(blob(pulled, manifest.get("config").get("digest").asText()).toFile())
              .get("config")
              .get("Labels");
      assertEquals(
          "u1.large", labels.get("instancetype.kubevirt.io/default-instancetype").asText());
      assertEquals("debian", labels.get("instancetype.kubevirt.io/default-preference").asText());

      Path yaml = tmp.resolve("out/web-1.0-kubevirt.yaml");
      assertEquals(yaml, result.files().get(1));
      List<JsonNode> docs =
          new YAMLMapper()
              .readValues(new YAMLMapper().getFactory().createParser(yaml.toFile()), JsonNode.class)
              .readAll();
      assertEquals(List.of(), KubeVirtManifestTest.schemaErrors(docs), "strict schema check");
      JsonNode vm = docs.get(0);
      assertEquals("VirtualMachine", vm.get("kind").asText());
      JsonNode spec = vm.get("spec").get("template").get("spec");
      assertEquals(
          result.containerDisk(),
          spec.get("volumes").get(0).get("containerDisk").get("image").asText());
      assertEquals("/healthz", spec.get("readinessProbe").get("httpGet").get("path").asText());
      assertEquals(80, spec.get("readinessProbe").get("httpGet").get("port").asInt());
      assertEquals("768Mi", spec.get("domain").get("memory").get("guest").asText());
      JsonNode service = docs.get(1);
      assertEquals("Service", service.get("kind").asText());
      assertEquals(80, service.get("spec").get("ports").get(0).get("port").asInt());
      assertEquals(
          "web-1-0", service.get("spec").get("selector").get("app.kubernetes.io/name").asText());
    }
  }

  @Test
  void kubevirtWithStateAndPersistentRootNamesThePushedDiskAndItsSize() throws Exception {
    try (RegistryServer registry = RegistryServer.plain(tmp.resolve("registry"))) {
      ExportResult result =
          exporter(RegistryOptions.defaults())
              .export(
                  image,
                  METADATA,
                  kubevirtRaw(
                      registry.host() + "/appliances/web-disk:1.0",
                      new StateVolume(List.of("/var/lib/web"), 2L << 30),
                      true));
      JsonNode vm = manifest().get(0);
      JsonNode root = vm.get("spec").get("dataVolumeTemplates").get(0).get("spec");
      assertEquals(
          "docker://" + result.containerDisk(),
          root.get("source").get("registry").get("url").asText());
      assertEquals(
          (Files.size(result.disk()) + (1 << 20) - 1) >> 20,
          Long.parseLong(storageRequest(root).replace("Mi", "")),
          "the root DataVolume holds the whole disk");
      assertStateVolume(
          vm.get("spec").get("dataVolumeTemplates").get(1), "2048Mi", "/var/lib/web", result);
    }
  }

  @Test
  void kubevirtKeepsTheStateDirsTheImageRecordsOnAStateVolume() throws Exception {
    StoredImage stored =
        storedWithLabel(StateDirs.LABEL, new StateDirs(List.of("/var/lib/web")).toLabel());
    try (RegistryServer registry = RegistryServer.plain(tmp.resolve("registry"))) {
      String ref = registry.host() + "/appliances/web-disk:1.0";
      ExportResult result =
          exporter(RegistryOptions.defaults())
              .export(stored, kubevirtRaw(ref, new StateVolume(List.of(), 3L << 30), false));
      JsonNode vm = manifest().get(0);
      JsonNode state = vm.get("spec").get("dataVolumeTemplates").get(0);
      assertEquals("web-1-0-state", state.get("metadata").get("name").asText());
      assertStateVolume(state, "3072Mi", "/var/lib/web", result);
    }
  }

  /**
   * The state DataVolume asks for {@code size} and the exported disk's boot entry names {@code dir}
   * as the state dir.
   */
  private static void assertStateVolume(
      JsonNode dataVolume, String size, String dir, ExportResult result) throws IOException {
    assertEquals(size, storageRequest(dataVolume.get("spec")), "the size asked for");
    assertTrue(
        bootEntry(result.disk()).contains(" quiet appliance.state=" + dir),
        "the boot entry names the state dir");
  }

  /** The storage a DataVolume's spec requests, e.g. {@code 2048Mi}. */
  private static String storageRequest(JsonNode spec) {
    return spec.get("storage").get("resources").get("requests").get("storage").asText();
  }

  @Test
  void withoutKubevirtTheImagesStateDirsAreNotImposed() throws Exception {
    StoredImage stored =
        storedWithLabel(StateDirs.LABEL, new StateDirs(List.of("/var/lib/web")).toLabel());
    ExportResult result =
        exporter(RegistryOptions.defaults())
            .export(stored, new ExportOptions(ExportFormat.RAW, tmp.resolve("out"), false, null));
    String entry = bootEntry(result.disk());
    assertTrue(!entry.contains("appliance.state="), entry);
  }

  /**
   * An updating disk replaces its root at every update: the directories the image records as its
   * state (lamp's /var/lib/mysql) go on the data partition without --state-dir.
   */
  @Test
  void anUpdatingExportKeepsTheImagesStateDirsOnItsDataPartition() throws Exception {
    StoredImage stored =
        storedWithLabel(StateDirs.LABEL, new StateDirs(List.of("/var/lib/web")).toLabel());
    ExportResult result =
        exporter(RegistryOptions.defaults()).export(stored, updating(StateVolume.NONE));
    String entry =
        run("mtype", "-i", result.disk() + "@@" + (1 << 20), "::/loader/entries/slot-a.conf");
    assertTrue(entry.contains(" appliance.state=/var/lib/web"), entry);
  }

  @Test
  void anImageStateDirThatCannotGoOnTheBootEntryIsRefusedNamingTheLabel() throws Exception {
    // A valid image path (the label's rule) with a space: it would split the kernel command line.
    StoredImage stored =
        storedWithLabel(StateDirs.LABEL, new StateDirs(List.of("/var/lib/my web")).toLabel());
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                exporter(RegistryOptions.defaults())
                    .export(
                        stored,
                        new ExportOptions(
                            ExportFormat.RAW, tmp.resolve("out"), false, "127.0.0.1:1/x:1")));
    assertTrue(
        e.getMessage().startsWith("web:1.0: label dev.appliance.state-dirs: state directory"),
        e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("out")), "nothing written");
  }

  /**
   * A raw self-updating disk following registry.example:5000/ops/web:stable, with {@code state}.
   */
  private ExportOptions updating(StateVolume state) {
    return new ExportOptions(
        ExportFormat.RAW,
        tmp.resolve("out"),
        false,
        null,
        Map.of(),
        Map.of(),
        ImageLimits.DEFAULTS,
        state,
        false,
        UpdateChannel.following("registry.example:5000/ops/web:stable", null, 64L << 20));
  }

  /** A KubeVirt export as a raw disk pushed to {@code ref}, with {@code state}. */
  private ExportOptions kubevirtRaw(String ref, StateVolume state, boolean persistentRoot) {
    return new ExportOptions(
        ExportFormat.RAW,
        tmp.resolve("out"),
        false,
        ref,
        Map.of(),
        Map.of(),
        ImageLimits.DEFAULTS,
        state,
        persistentRoot,
        UpdateChannel.NONE);
  }

  /** The documents of the manifest the export wrote for METADATA. */
  private List<JsonNode> manifest() throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    return yaml.readValues(
            yaml.getFactory().createParser(tmp.resolve("out/web-1.0-kubevirt.yaml").toFile()),
            JsonNode.class)
        .readAll();
  }

  /** The systemd-boot entry on the EFI partition of a raw exported disk. */
  private static String bootEntry(Path rawDisk) {
    return run("mtype", "-i", rawDisk + "@@" + (1 << 20), "::/loader/entries/appliance.conf");
  }

  /** The stand-in layer as an image in the exporter's store, METADATA's labels plus one. */
  private StoredImage storedWithLabel(String label, String value) throws Exception {
    ImageStore store = ImageStore.open(tmp.resolve("store"));
    Path layer = image.layers().get(0);
    MessageDigest diffId = Digest.newSha256();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(layer))) {
      diffId.update(in.readAllBytes());
    }
    Map<String, String> labels = new HashMap<>(METADATA.toLabels());
    labels.put(label, value);
    ImageConfig config =
        ImageConfig.create(
            Instant.EPOCH, labels, List.of(Digest.fromSha256(diffId.digest())), List.of());
    Manifest manifest =
        Manifest.create(
            config.descriptor(),
            List.of(store.putBlobFile(layer, MediaTypes.OCI_LAYER_GZIP, null)),
            Map.of());
    store.tag("web:1.0", store.putImage(config, manifest));
    return store.get("web:1.0");
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs").resolve(digest.replace(':', '/'));
  }

  static String run(String... command) {
    return HostTool.run(List.of(command), Path.of("/tmp")).stdout();
  }

  private static void copyRange(Path from, long offset, long length, Path to) throws IOException {
    try (FileChannel in = FileChannel.open(from);
        FileChannel out =
            FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long done = 0;
      while (done < length) {
        done += in.transferTo(offset + done, length - done, out);
      }
    }
  }

  private static List<Path> leftovers(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(".")).toList();
    }
  }
}

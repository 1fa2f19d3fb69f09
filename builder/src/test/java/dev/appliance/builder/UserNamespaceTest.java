package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserNamespaceTest {
  @Test
  void aRangeIsFoundByUserNameOrUid() {
    List<String> subuid = List.of("alice:100000:65536", "1001:165536:65536");
    assertEquals(
        Optional.of(new UserNamespace.Range(100000, 65536)),
        UserNamespace.Range.parse(subuid, "alice", 1000));
    assertEquals(
        Optional.of(new UserNamespace.Range(165536, 65536)),
        UserNamespace.Range.parse(subuid, "bob", 1001));
    assertTrue(UserNamespace.Range.parse(subuid, "carol", 1002).isEmpty());
  }

  @Test
  void rangesTooSmallForDebianOrMalformedAreSkipped() {
    List<String> subuid =
        List.of("alice:100000:1000", "alice:x:65536", "alice:200000", "alice:300000:65536");
    assertEquals(
        Optional.of(new UserNamespace.Range(300000, 65536)),
        UserNamespace.Range.parse(subuid, "alice", 1000));
  }

  @Test
  void insideUidZeroIsTheUserAndTheRangeFollows() {
    UserNamespace.Mapping mapping =
        new UserNamespace.Mapping(
            new UserNamespace.Range(100000, 65536), new UserNamespace.Range(200000, 65536));
    List<String> command = UserNamespace.unshareCommand(mapping);
    assertTrue(
        command.containsAll(
            List.of(
                "--map-root-user",
                "--map-users=100000,1,65535",
                "--map-groups=200000,1,65535",
                "--mount-proc")),
        command.toString());
    assertEquals("--", command.get(command.size() - 1));
  }
}

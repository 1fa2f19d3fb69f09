<?php
// LAMP demo: a guestbook kept in MariaDB. POST message=... adds an entry;
// GET lists the latest ones and how many there are.
declare(strict_types=1);
require '/var/www/lamp/db.php';

function h(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}

try {
    $pdo = lamp_db();
    if ($_SERVER['REQUEST_METHOD'] === 'POST') {
        $message = trim((string) ($_POST['message'] ?? ''));
        // At most 200 characters of valid UTF-8 (PCRE is always there, mbstring is not).
        if ($message !== '' && preg_match('/^.{1,200}/su', $message, $match) === 1) {
            $insert = $pdo->prepare('INSERT INTO entries (message) VALUES (?)');
            $insert->execute([$match[0]]);
        }
        // Post/redirect/get: reloading the page does not add the entry again.
        header('Location: ' . strtok($_SERVER['REQUEST_URI'], '?'), true, 303);
        exit;
    }
    $entries = $pdo->query('SELECT id, message, created FROM entries ORDER BY id DESC LIMIT 20')->fetchAll();
    $count = (int) $pdo->query('SELECT COUNT(*) FROM entries')->fetchColumn();
    $server = (string) $pdo->query('SELECT VERSION()')->fetchColumn();
} catch (Throwable $e) {
    http_response_code(503);
    error_log('lamp demo: ' . $e->getMessage());
    echo "<!doctype html><title>LAMP demo</title><p>The database is not available.</p>\n";
    exit;
}
?>
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>LAMP demo</title></head>
<body>
<h1>LAMP demo guestbook</h1>
<p id="php">PHP <?= h(PHP_VERSION) ?> through <span id="sapi"><?= h(PHP_SAPI) ?></span>.</p>
<p id="count"><?= $count ?> <?= $count === 1 ? 'entry' : 'entries' ?> in MariaDB <span id="server"><?= h($server) ?></span>.</p>
<form method="post">
    <input name="message" maxlength="200" required>
    <button>Add</button>
</form>
<ul>
<?php foreach ($entries as $entry): ?>
    <li id="entry-<?= (int) $entry['id'] ?>"><?= h($entry['message']) ?> <small>(<?= h($entry['created']) ?>)</small></li>
<?php endforeach; ?>
</ul>
</body>
</html>

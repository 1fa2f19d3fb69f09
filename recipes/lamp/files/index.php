<?php
// LAMP demo: a guestbook kept in MariaDB. Each visit can add an entry; the
// page lists the latest ones. Credentials come from /etc/lamp-demo/db.ini,
// written at first boot (see /usr/lib/appliance/lamp-setup).
declare(strict_types=1);

function db(): PDO
{
    $config = parse_ini_file('/etc/lamp-demo/db.ini', true, INI_SCANNER_RAW);
    if ($config === false) {
        throw new RuntimeException('database credentials are not set up yet');
    }
    $db = $config['database'];
    return new PDO(
        sprintf('mysql:host=%s;dbname=%s;charset=utf8mb4', $db['host'], $db['name']),
        $db['user'],
        $db['password'],
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC]
    );
}

function h(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES, 'UTF-8');
}

try {
    $pdo = db();
    if ($_SERVER['REQUEST_METHOD'] === 'POST' || isset($_GET['message'])) {
        $message = trim((string) ($_POST['message'] ?? $_GET['message'] ?? ''));
        if ($message !== '') {
            $insert = $pdo->prepare('INSERT INTO entries (message) VALUES (?)');
            $insert->execute([mb_substr($message, 0, 200)]);
        }
    }
    $entries = $pdo->query('SELECT id, message, created FROM entries ORDER BY id DESC LIMIT 20')->fetchAll();
    $count = (int) $pdo->query('SELECT COUNT(*) FROM entries')->fetchColumn();
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
<p><?= $count ?> entries in MariaDB.</p>
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

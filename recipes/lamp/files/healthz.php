<?php
// Health endpoint (Alias /healthz): 200 "ok" only when Apache runs PHP and
// PHP can query MariaDB with the app's credentials; 503 otherwise.
declare(strict_types=1);
header('Content-Type: text/plain');
header('Cache-Control: no-store');
try {
    $config = parse_ini_file('/etc/lamp-demo/db.ini', true, INI_SCANNER_RAW);
    if ($config === false) {
        throw new RuntimeException('no credentials yet');
    }
    $db = $config['database'];
    $pdo = new PDO(
        sprintf('mysql:host=%s;dbname=%s', $db['host'], $db['name']),
        $db['user'],
        $db['password'],
        [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 2]
    );
    $pdo->query('SELECT COUNT(*) FROM entries')->fetchColumn();
    echo "ok\n";
} catch (Throwable $e) {
    http_response_code(503);
    echo "database unavailable\n";
}

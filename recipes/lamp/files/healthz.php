<?php
// Health endpoint (Alias /healthz): 200 "ok" only when Apache runs PHP and
// PHP can query the demo table in MariaDB; 503 otherwise.
declare(strict_types=1);
require '/var/www/lamp/db.php';

header('Content-Type: text/plain');
header('Cache-Control: no-store');
try {
    lamp_db()->query('SELECT COUNT(*) FROM entries')->fetchColumn();
    echo "ok\n";
} catch (Throwable $e) {
    http_response_code(503);
    echo "database unavailable\n";
}

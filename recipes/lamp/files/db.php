<?php
// The demo app's database connection, shared by index.php and healthz.php.
// Credentials come from /etc/lamp-demo/db.json, written at first boot by
// /usr/lib/appliance/lamp-setup (readable by root and www-data only).
declare(strict_types=1);

function lamp_db(): PDO
{
    $json = @file_get_contents('/etc/lamp-demo/db.json');
    $db = $json === false ? null : json_decode($json, true);
    if (!is_array($db)) {
        throw new RuntimeException('database credentials are not set up yet');
    }
    return new PDO(
        sprintf('mysql:host=%s;dbname=%s;charset=utf8mb4', $db['host'], $db['name']),
        $db['user'],
        $db['password'],
        [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            PDO::ATTR_TIMEOUT => 2,
        ]
    );
}

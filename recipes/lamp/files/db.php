<?php
// The demo app's database connection, shared by index.php and healthz.php.
// The password is in /run/lamp-demo/db-password (tmpfs, root and www-data
// only), written on every boot by /usr/lib/appliance/lamp-setup.
declare(strict_types=1);

function lamp_db(): PDO
{
    $password = @file_get_contents('/run/lamp-demo/db-password');
    if ($password === false || $password === '') {
        throw new RuntimeException('database credentials are not set up yet');
    }
    // localhost: PDO talks to MariaDB over its Unix socket.
    return new PDO('mysql:host=localhost;dbname=demo;charset=utf8mb4', 'demo', $password, [
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
        PDO::ATTR_TIMEOUT => 2,
    ]);
}

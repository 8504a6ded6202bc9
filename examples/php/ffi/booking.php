<?php
// sala from PHP: a durable platform on SQLite, three requests for two rooms,
// an admin's assignment, a rejected input, and credentials mailed ahead of
// time. Usage (docs/c_api.md):
//   php -d ffi.enable=1 booking.php HEADER LIBRARY SCRATCH_FOLDER
declare(strict_types=1);
require __DIR__ . '/sala.php';

[$_, $header, $library, $scratch] = $argv + [null, null, null, null];
if ($scratch === null) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 booking.php HEADER LIBRARY SCRATCH_FOLDER\n");
    exit(2);
}
$sala = new Sala($header, $library);
echo "sala ", $sala->version(), "\n";

$may1 = gmmktime(0, 0, 0, 5, 1, 2021);  // a manual clock: the output is always the same
$pp = $sala->new('sala_platform*');
$sala->call('open_sqlite', "$scratch/php.db", json_encode(['clock' => $may1]), FFI::addr($pp));
$p = $pp;

$users = [
    ['user_id' => 'u1', 'email' => 'symposiumwebinar01@symposium.events'],
    ['user_id' => 'u2', 'email' => 'symposiumwebinar02@symposium.events'],
    ['user_id' => 'u3', 'email' => 'symposiumwebinar03@symposium.events'],
];
$report = $sala->json('link_account', $p, 'symposium', 'own', json_encode($users));
foreach ($report['new_rooms'] as $room) {
    $sala->call('activate', $p, $room);
}
$sala->call('set_mode', $p, 1, 'automatic');  // room 3 stays manual: only an admin gives it out
$sala->call('set_mode', $p, 2, 'automatic');
$emails = array_column($sala->json('rooms', $p), 'email', 'id');

$madrid = new DateTimeZone('Europe/Madrid');
$request = fn (string $title) => json_encode([
    'title' => $title, 'start_local' => '2021-05-13T09:00', 'zone' => 'Europe/Madrid',
    'duration' => 60, 'event_id' => '2086',
    'organizer' => ['name' => 'Ana', 'email' => 'ana@example.org'],
]);
$ids = [];
foreach (['Taller 1', 'Taller 2', 'Taller 3'] as $title) {
    $id = $sala->new('uint64_t');
    $s = $sala->json('submit', $p, $request($title), FFI::addr($id));
    $ids[] = $id->cdata;
    $a = $s['assignment'];
    echo "$title -> ", $a['status'] === 'assigned' ? $emails[$a['room']] : "queued ({$a['reason']})", "\n";
}

// An admin gives the manual room to the queued request.
$a = $sala->json('assign', $p, $ids[2], 3);
echo "assign Taller 3 -> {$emails[$a['room']]}\n";

// Rejected inputs: a zone that does not exist, a time in the spring-forward gap.
foreach ([['zone' => 'Europe/Madird'], ['start_local' => '2021-03-28T02:30']] as $bad) {
    try {
        $sala->call('submit', $p, json_encode(array_merge(json_decode($request('Bad'), true), $bad)), null, null);
    } catch (SalaError $e) {
        echo "rejected: {$e->status} [{$e->field}] {$e->getMessage()}\n";
    }
}

$r = $sala->json('get_request', $p, $ids[0]);
$blocked = fn (int $t) => (new DateTimeImmutable("@$t"))->setTimezone($madrid)->format('H:i');
echo "Taller 1 blocks {$blocked($r['blocked']['begin'])}-{$blocked($r['blocked']['end'])} {$r['zone']}\n";

// The lifecycle: mail goes to an outbox folder, rooms are in-memory fakes here.
$lp = $sala->new('sala_lifecycle*');
$sala->call('lifecycle_open', $p, json_encode(['outbox' => "$scratch/outbox", 'conferencing' => 'fake']), FFI::addr($lp));
$l = $lp;
$sala->call('tick', $l, $may1, null);
$twoDaysBefore = $r['start'] - 2 * 86400;
foreach ($sala->json('about_to_start', $l, $twoDaysBefore, 7 * 24 * 60) as $e) {
    echo "about to start: #{$e['request']} {$e['title']} in {$emails[$e['room']]}\n";
}
$mailed = $sala->new('int');
$sala->call('generate_credentials', $l, $ids[0], $twoDaysBefore, FFI::addr($mailed));
echo "credentials for Taller 1 mailed: ", $mailed->cdata ? 'yes' : 'no', "\n";
echo "mails in the outbox: ", count(glob("$scratch/outbox/*.eml")), "\n";
$sala->sala_lifecycle_close($l);
$sala->sala_close($p);

ferrySearch.receive(4,1,[
[1,"050e8fca-6433-4573-a41e-aeea433fae26","2020-01-01 02:49","björn.müller@bücherwurm.example","C:\\Users\\bob\\Documents\\new folder\\file.txt, a literal \\n, \\' and \\\\"],
[1,"4836fbad-4aaa-4319-b6e0-544568371808","2020-01-01 05:04","björn.müller@bücherwurm.example","it's\nnot 'over'\n'yet'\n'"],
[1,"6c88212e-3c58-43e1-b25d-80b12082011b","2020-01-01 07:05","hannah_kim@trashserver.net","ends with a quote on the first line'\n'and starts with one on the next"],
[1,"fcc6dc71-15fb-4c38-a16b-4b5538669b38","2020-01-01 10:35","hannah_kim@trashserver.net","‮right-to-left override‬ back to normal"],
[1,"95737434-7c29-4e94-ba4c-6341abb85890","2020-01-01 12:17","hannah_kim@trashserver.net","12345"],
[1,"57e293d5-4bc2-475b-b517-0b118194e1ed","2020-01-01 14:25","hannah_kim@trashserver.net","12345678901234567890"],
[1,"a5af453c-501b-4d4d-89d9-d19df46a560e","2020-01-01 17:31","hannah_kim@trashserver.net","3.14"]]);
